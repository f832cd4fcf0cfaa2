/**
 * @module
 * DLP on every field that reaches a provider, a log or the cache (issue 16, item 4). The
 * simulated provider stands for the outside world: its transport is wrapped to record the exact
 * bytes the gateway sent, or replaced to answer with the fields under test.
 */
import { env, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { simulatedAdapter } from "../../src/providers/simulated";
import { BASE, adminOk, chat, createOrg, eventually } from "./helpers";

const SSN = "536-90-4399";
const CARD = "4111 1111 1111 1111";
const SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";

const realTransport = simulatedAdapter.transport!;
afterEach(() => {
  simulatedAdapter.transport = realTransport;
});

/** Records every body the gateway sends upstream; `answer` replaces the simulated reply. */
function provider(answer?: (body: Record<string, unknown>) => Response): string[] {
  const sent: string[] = [];
  simulatedAdapter.transport = async (req, ctx) => {
    sent.push(req.body ?? "");
    return answer ? answer(JSON.parse(req.body ?? "{}")) : realTransport.call(simulatedAdapter, req, ctx);
  };
  return sent;
}

const user = (content: unknown) => ({ role: "user", content });
const tool = (description: string, parameters: Record<string, unknown> = { type: "object" }) => ({ type: "function", function: { name: "lookup", description, parameters } });

/** The logged bodies of one request: its slice of the R2 log segment. */
async function loggedBodies(rid: string): Promise<{ text: string; types: string[] }> {
  const row = await eventually(() => env.DB.prepare("SELECT body_key, body_offset, body_bytes, dlp_types FROM request_logs WHERE client_request_id = ?")
    .bind(rid).first<{ body_key: string; body_offset: number | null; body_bytes: number | null; dlp_types: string }>());
  const segment = new Uint8Array(await (await env.BLOBS.get(row.body_key))!.arrayBuffer());
  const bytes = row.body_offset === null ? segment : segment.slice(row.body_offset, row.body_offset + (row.body_bytes ?? 0));
  return { text: new TextDecoder().decode(bytes), types: JSON.parse(row.dlp_types) as string[] };
}

/** One request per field, each carrying the SSN only there. */
const FIELDS: Array<[string, Record<string, unknown>]> = [
  ["message content (string)", { messages: [user(`ssn ${SSN}`)] }],
  ["text part", { messages: [user([{ type: "text", text: `ssn ${SSN}` }])] }],
  ["messages[].name", { messages: [{ role: "user", name: `n ${SSN}`, content: "hi" }] }],
  ["tool_calls arguments and name", {
    messages: [user("hi"), { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: `f ${SSN}`, arguments: `{"ssn":"${SSN}"}` } }] },
      { role: "tool", tool_call_id: "call_1", content: "done" }],
  }],
  ["legacy function_call.arguments", { messages: [user("hi"), { role: "assistant", content: null, function_call: { name: "f", arguments: `{"ssn":"${SSN}"}` } }] }],
  ["tool result", { messages: [user("hi"), { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }] }, { role: "tool", tool_call_id: "call_1", content: `found ${SSN}` }] }],
  ["tools[].function.description", { messages: [user("hi")], tools: [tool(`like ${SSN}`)] }],
  ["tools[].function.parameters enum/default/examples", { messages: [user("hi")], tools: [tool("x", { type: "object", properties: { s: { type: "string", enum: [SSN], default: SSN, examples: [SSN] } } })] }],
  ["response_format.json_schema", { messages: [user("hi")], response_format: { type: "json_schema", json_schema: { name: "r", schema: { type: "object", description: `e.g. ${SSN}` } } } }],
  ["user", { messages: [user("hi")], user: `u ${SSN}` }],
  ["metadata", { messages: [user("hi")], metadata: { note: `ssn ${SSN}` } }],
  ["stop", { messages: [user("hi")], stop: [`ssn ${SSN}`] }],
  ["unknown top-level field", { messages: [user("hi")], vendor_hint: { text: `ssn ${SSN}` } }],
];

describe("request DLP reaches every field", () => {
  it.each(FIELDS)("%s: the provider gets the placeholder, never the value", async (_name, fields) => {
    const org = await createOrg();
    const sent = provider();
    const res = await chat(org.apiKey, { model: "sim-chat", ...fields });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(sent).toHaveLength(1);
    expect(sent[0]).not.toContain(SSN);
    expect(sent[0]).toContain("[US_SSN]");
  });

  it("nothing of it reaches the log either, and the log names the types found", async () => {
    const org = await createOrg();
    const rid = `dlp-fields-log-${org.team}`;
    provider();
    const named = { type: "function", function: { name: `lookup ${SSN}`, description: `card ${CARD}` } };
    const body = { model: "sim-chat", messages: [user("hi")], tools: [named], metadata: { ssn: SSN } };
    const res = await chat(org.apiKey, body, { "x-request-id": rid });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const logged = await loggedBodies(rid);
    expect(logged.text).toContain("[CREDIT_CARD]");
    expect(logged.text).not.toContain(SSN);
    expect(logged.text).not.toContain(CARD);
    expect(logged.types.sort()).toEqual(["CREDIT_CARD", "US_SSN"]);
    // Tool names also go into the usage event (a shadow-agent signal): the redacted ones.
    const usage = await eventually(() => env.DB.prepare("SELECT detail FROM usage_events WHERE client_request_id = ?").bind(rid).first<{ detail: string }>());
    expect(JSON.parse(usage.detail).tools).toEqual(["lookup [US_SSN]"]);
    expect(usage.detail).not.toContain(SSN);
  });

  it("a credential in a tool definition blocks the request like one in message text", async () => {
    const org = await createOrg();
    const sent = provider();
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [user("hi")], tools: [tool(`use key ${SECRET}`)] });
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text).error).toMatchObject({ code: "dlp_blocked", type: "permission_error" });
    expect(sent).toHaveLength(0);
  });

  it("a finding in any field raises the class (an e-mail in metadata makes the request internal)", async () => {
    const org = await createOrg();
    provider();
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [user("hi")], metadata: { owner: "jane.doe@acme.io" } });
    expect(res.headers.get("x-switchyard-data-class")).toBe("internal");
    await res.arrayBuffer();
  });
});

describe("what DLP cannot read", () => {
  const image = [{ type: "text", text: "what is this?" }, { type: "image_url", image_url: { url: `data:image/png;base64,${"iVBORw0KGgo".repeat(4)}` } }];

  it("a restricted request with an image part is refused, naming the field and the rule", async () => {
    const org = await createOrg({ dataClass: "restricted" });
    const sent = provider();
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [user(image)] });
    expect(res.status).toBe(403);
    const { error } = await res.json<{ error: { code: string; message: string; param: string } }>();
    expect(error).toMatchObject({ code: "dlp_unscannable", param: "messages[0].content[1]" });
    expect(error.message).toContain("dlp.restricted_unscannable");
    expect(sent).toHaveLength(0);
    // Declared restricted on a public workload: the same refusal.
    const pub = await createOrg();
    const declared = await chat(pub.apiKey, { model: "sim-chat", messages: [user(image)] }, { "x-data-class": "restricted" });
    expect(declared.status).toBe(403);
    await declared.arrayBuffer();
    // Below restricted the image passes (its text fields are still scanned).
    const ok = await chat(pub.apiKey, { model: "sim-chat", messages: [user(image)] });
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    expect(sent).toHaveLength(1);
  });

  it("restricted embeddings with token-array input are refused; strings are scanned", async () => {
    await adminOk("PUT", "/models/sim-embed-restricted", {
      kind: "embeddings",
      targets: [{ provider: "sim-us", model: "sim-embed-1" }],
      data_classes: ["public", "internal", "restricted"],
      price: { input_per_mtok: 0.1, output_per_mtok: 0 },
    });
    const org = await createOrg({ dataClass: "restricted", models: ["sim-embed-restricted"] });
    const sent = provider();
    const embed = (input: unknown) => SELF.fetch(`${BASE}/v1/embeddings`, { method: "POST", headers: { authorization: `Bearer ${org.apiKey}` }, body: JSON.stringify({ model: "sim-embed-restricted", input }) });
    const tokens = await embed([[1, 2, 3]]);
    expect(tokens.status).toBe(403);
    expect((await tokens.json<{ error: { code: string; param: string } }>()).error).toMatchObject({ code: "dlp_unscannable", param: "input" });
    expect(sent).toHaveLength(0);
    const text = await embed([`ssn ${SSN}`]);
    expect(text.status).toBe(200);
    await text.arrayBuffer();
    expect(sent[0]).not.toContain(SSN);
  });
});

describe("response DLP reaches every field", () => {
  const completion = (model: string) => ({
    id: "chatcmpl-x",
    object: "chat.completion",
    created: 1,
    model,
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        content: "ok",
        refusal: `I cannot repeat ${SSN}`,
        reasoning_content: `the card ${CARD} matched`,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: `{"ssn":"${SSN}"}` } }],
      },
      finish_reason: "stop",
    }],
    usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
  });

  it("refusal, reasoning_content and tool-call arguments are redacted for the client, the log and the cache", async () => {
    const org = await createOrg({ cache: { mode: "exact", ttl_s: 600 } });
    const rid = `dlp-fields-resp-${org.team}`;
    provider((b) => Response.json(completion(String(b.model))));
    const body = { model: "sim-chat", messages: [user(`respond ${org.team}`)] };
    const res = await chat(org.apiKey, body, { "x-request-id": rid });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(SSN);
    expect(text).not.toContain(CARD);
    const message = JSON.parse(text).choices[0].message;
    expect(message.refusal).toBe("I cannot repeat [US_SSN]");
    expect(message.reasoning_content).toBe("the card [CREDIT_CARD] matched");
    expect(JSON.parse(message.tool_calls[0].function.arguments)).toEqual({ ssn: "[US_SSN]" });
    const logged = await loggedBodies(rid);
    expect(logged.text).toContain("[US_SSN]");
    expect(logged.text).not.toContain(SSN);
    expect(logged.text).not.toContain(CARD);
    expect(logged.types.sort()).toEqual(["CREDIT_CARD", "US_SSN"]);
    // The cached answer is the redacted one.
    const hit = await eventually(async () => {
      const r = await chat(org.apiKey, body);
      if (r.headers.get("x-switchyard-cache") === "hit") return r;
      await r.arrayBuffer();
      return undefined;
    });
    const cached = await hit.text();
    expect(cached).toContain("[US_SSN]");
    expect(cached).not.toContain(SSN);
    expect(cached).not.toContain(CARD);
  });

  it("a streamed tool call whose arguments carry a secret split across chunks comes out redacted", async () => {
    const org = await createOrg();
    const rid = `dlp-fields-stream-${org.team}`;
    provider((b) => {
      const base = { id: "chatcmpl-s", object: "chat.completion.chunk", created: 1, model: String(b.model) };
      const frame = (delta: unknown, finish: string | null = null) => `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      const args = (a: string) => frame({ tool_calls: [{ index: 0, function: { arguments: a } }] });
      const sse = frame({ role: "assistant", content: null, tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "deploy", arguments: "" } }] }) +
        args(`{"token":"${SECRET.slice(0, 9)}`) + args(SECRET.slice(9, 20)) + args(`${SECRET.slice(20)}"}`) + frame({}, "tool_calls") +
        // Usage reported, as the gateway asks for it: no token estimate (slow to load) is needed.
        `data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 3, completion_tokens: 9, total_tokens: 12 } })}\n\n` + "data: [DONE]\n\n";
      return new Response(sse, { headers: { "content-type": "text/event-stream" } });
    });
    const res = await chat(org.apiKey, { model: "sim-chat", stream: true, messages: [user("deploy")] }, { "x-request-id": rid });
    expect(res.status).toBe(200);
    const raw = await res.text();
    expect(raw).not.toContain(SECRET.slice(9, 20));
    expect(raw).not.toContain(SECRET.slice(20));
    const chunks = raw.split("\n\n").filter((e) => e.startsWith("data: {")).map((e) => JSON.parse(e.slice(6)));
    const assembled = chunks.flatMap((c: { choices: Array<{ delta: { tool_calls?: Array<{ function?: { arguments?: string } }> } }> }) =>
      c.choices.flatMap((ch) => (ch.delta.tool_calls ?? []).map((t) => t.function?.arguments ?? ""))).join("");
    expect(JSON.parse(assembled)).toEqual({ token: "[SECRET]" });
    const row = await eventually(() => env.DB.prepare("SELECT dlp_types FROM request_logs WHERE client_request_id = ?").bind(rid).first<{ dlp_types: string }>());
    expect(JSON.parse(row.dlp_types)).toContain("SECRET");
  });
});
