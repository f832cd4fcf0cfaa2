import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, chat, createOrg, eventually } from "./helpers";

describe("chat completions", () => {
  it("answers JSON with the gateway headers and a usage event", async () => {
    const org = await createOrg();
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "hello there" }] }, { "x-request-id": "req-json-1" });
    expect(res.status).toBe(200);
    // x-request-id is the gateway's own id; the client's comes back beside it.
    const rid = res.headers.get("x-request-id")!;
    expect(rid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(res.headers.get("x-client-request-id")).toBe("req-json-1");
    expect(res.headers.get("x-switchyard-provider")).toBe("sim-us");
    expect(res.headers.get("x-switchyard-model")).toBe("sim-1");
    expect(res.headers.get("x-switchyard-region")).toBe("us");
    expect(res.headers.get("x-switchyard-data-class")).toBe("public");
    const body = await res.json<{ choices: Array<{ message: { content: string } }>; usage: { prompt_tokens: number; completion_tokens: number } }>();
    expect(body.choices[0].message.content.split(" ").length).toBe(12);
    const row = await eventually(() => env.DB.prepare("SELECT * FROM usage_events WHERE request_id = ?").bind(rid).first<Record<string, unknown>>());
    expect(row.team).toBe(org.team);
    expect(row.client_request_id).toBe("req-json-1");
    expect(row.tokens_in).toBe(body.usage.prompt_tokens);
    expect(row.tokens_out).toBe(body.usage.completion_tokens);
    // price: $1/Mtok in, $2/Mtok out → nano-dollars = in*1000 + out*2000
    expect(row.cost_nusd).toBe(body.usage.prompt_tokens * 1000 + body.usage.completion_tokens * 2000);
    expect(row.status).toBe(200);
  });

  it("streams SSE with usage when asked, ending in [DONE]", async () => {
    const org = await createOrg();
    const res = await chat(org.apiKey, { model: "sim-chat", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "stream please" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    const events = text.split("\n\n").filter(Boolean).map((e) => e.replace(/^data: /, ""));
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    const content = chunks.flatMap((c) => c.choices.map((ch: { delta: { content?: string } }) => ch.delta.content ?? "")).join("");
    expect(content.split(" ").length).toBe(12);
    expect(chunks.at(-1).usage.completion_tokens).toBe(12);
  });

  it("drops the usage chunk when the client did not ask for it", async () => {
    const org = await createOrg();
    const res = await chat(org.apiKey, { model: "sim-chat", stream: true, messages: [{ role: "user", content: "no usage" }] });
    const text = await res.text();
    expect(text).not.toContain('"usage"');
  });

  it("refuses unknown models with 404 and disallowed ones with 403 naming the rule", async () => {
    const org = await createOrg({ models: ["sim-chat"] });
    const missing = await chat(org.apiKey, { model: "nope", messages: [{ role: "user", content: "x" }] });
    expect(missing.status).toBe(404);
    expect((await missing.json<{ error: { code: string } }>()).error.code).toBe("model_not_found");
    const denied = await chat(org.apiKey, { model: "sim-embed", messages: [{ role: "user", content: "x" }] });
    expect([400, 403]).toContain(denied.status);
  });

  it("refuses a class the model is not approved for", async () => {
    const org = await createOrg({ dataClass: "restricted", models: ["sim-embed"] });
    const res = await SELF.fetch(`${BASE}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${org.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "sim-embed", input: "x" }),
    });
    expect(res.status).toBe(403);
    const body = await res.json<{ error: { message: string; code: string } }>();
    expect(body.error.code).toBe("data_class_not_allowed");
    expect(body.error.message).toContain("model.data_classes");
  });
});

describe("embeddings and models", () => {
  it("returns floats, or base64 float32 when asked", async () => {
    const org = await createOrg();
    const post = (body: unknown) =>
      SELF.fetch(`${BASE}/v1/embeddings`, { method: "POST", headers: { authorization: `Bearer ${org.apiKey}` }, body: JSON.stringify(body) });
    const floats = await (await post({ model: "sim-embed", input: ["a cat", "a dog"] })).json<{ data: Array<{ embedding: number[] }> }>();
    expect(floats.data).toHaveLength(2);
    expect(floats.data[0].embedding).toHaveLength(64);
    const b64 = await (await post({ model: "sim-embed", input: ["a cat", "a dog"], encoding_format: "base64" })).json<{ data: Array<{ embedding: string }> }>();
    const bytes = Uint8Array.from(atob(b64.data[0].embedding), (c) => c.charCodeAt(0));
    const decoded = Array.from(new Float32Array(bytes.buffer));
    expect(decoded).toHaveLength(64);
    decoded.forEach((v, i) => expect(v).toBeCloseTo(floats.data[0].embedding[i], 5));
  });

  it("lists only the models the key may use", async () => {
    const org = await createOrg({ models: ["sim-chat"] });
    const res = await SELF.fetch(`${BASE}/v1/models`, { headers: { authorization: `Bearer ${org.apiKey}` } });
    const body = await res.json<{ data: Array<{ id: string }> }>();
    expect(body.data.map((m) => m.id)).toEqual(["sim-chat"]);
  });
});

describe("routing between the data-plane and control-plane apps", () => {
  const code = async (res: Response) => (await res.json<{ error: { code: string | null } }>()).error.code;

  it("serves /healthz (and HEAD of it) from the data plane", async () => {
    const res = await SELF.fetch(`${BASE}/healthz`);
    expect(await res.json()).toMatchObject({ status: "ok", region: "us" });
    const head = await SELF.fetch(`${BASE}/healthz`, { method: "HEAD" });
    expect(head.status).toBe(200);
  });

  it("answers a wrong method on a data-plane path with the 404 envelope", async () => {
    const res = await SELF.fetch(`${BASE}/v1/chat/completions`);
    expect(res.status).toBe(404);
    expect(await code(res)).toBe("unknown_url");
  });

  it("routes on the decoded path, as the routers do", async () => {
    // %69 is "i": still the chat route, so the pipeline answers (401 without a key), not a 404.
    const res = await SELF.fetch(`${BASE}/v1/chat/complet%69ons`, { method: "POST", body: "{}" });
    expect(res.status).toBe(401);
    expect(await code(res)).toBe("missing_api_key");
  });

  it("leaves /v1/agents/* to the agent plane and unknown /v1 paths to the 404 envelope", async () => {
    const exchange = await SELF.fetch(`${BASE}/v1/agents/token-exchange`, { method: "POST", body: "" });
    expect(exchange.status).not.toBe(404);
    const unknown = await SELF.fetch(`${BASE}/v1/agents/nope`, { method: "POST" });
    expect(unknown.status).toBe(404);
    expect(await code(unknown)).toBe("unknown_url");
  });

  it("answers unknown admin paths with a problem document", async () => {
    const res = await SELF.fetch(`${BASE}/admin/v1/no-such-thing`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 404, title: "Not Found" });
  });
});
