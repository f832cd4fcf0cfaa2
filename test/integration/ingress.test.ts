/**
 * The Anthropic Messages and OpenAI Responses ingresses run the one chat pipeline: auth, DLP,
 * budgets and usage accounting behave exactly as on /v1/chat/completions, answered in each
 * wire's own shapes (the official SDKs are driven against the running gateway in test/e2e).
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { app } from "../../workers/app";
import { describe, expect, it } from "vitest";
import { costNusd } from "../../src/config/money";
import { BASE, createOrg, eventually } from "./helpers";

function post(path: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}
const messages = (key: string, body: unknown, headers: Record<string, string> = {}) =>
  post("/v1/messages", body, { "x-api-key": key, "anthropic-version": "2023-06-01", ...headers });
const responses = (key: string, body: unknown, headers: Record<string, string> = {}) =>
  post("/v1/responses", body, { authorization: `Bearer ${key}`, ...headers });

/** SSE text → [event name, parsed data] pairs. */
function events(text: string): Array<[string, Record<string, unknown>]> {
  return text.split("\n\n").filter((f) => f.trim()).map((f) => {
    const event = /^event: (.*)$/m.exec(f)?.[1] ?? "";
    const data = /^data: (.*)$/m.exec(f)?.[1] ?? "null";
    return [event, JSON.parse(data) as Record<string, unknown>];
  });
}

const usageRow = (rid: string) => eventually(() => env.DB.prepare(
  "SELECT tokens_in, tokens_out, cost_nusd, status, error_code, json_extract(detail, '$.ingress') AS ingress FROM usage_events WHERE request_id = ?",
).bind(rid).first<{ tokens_in: number; tokens_out: number; cost_nusd: number; status: number; error_code: string | null; ingress: string }>());

describe("POST /v1/messages", () => {
  it("answers an Anthropic message with x-api-key auth, and writes the usage row with exact cost", async () => {
    const org = await createOrg();
    const res = await messages(org.apiKey, { model: "sim-chat", max_tokens: 64, system: "be brief", messages: [{ role: "user", content: "Hello there" }] });
    expect(res.status).toBe(200);
    const msg = await res.json<{ type: string; role: string; model: string; content: Array<{ type: string; text: string }>; stop_reason: string; usage: { input_tokens: number; output_tokens: number } }>();
    expect(msg).toMatchObject({ type: "message", role: "assistant", model: "sim-chat", stop_reason: "end_turn" });
    expect(msg.content[0].type).toBe("text");
    expect(msg.content[0].text.length).toBeGreaterThan(0);
    const row = await usageRow(res.headers.get("x-request-id")!);
    expect(row).toMatchObject({ status: 200, ingress: "anthropic.messages", tokens_in: msg.usage.input_tokens, tokens_out: msg.usage.output_tokens });
    expect(row.cost_nusd).toBe(costNusd({ input_per_mtok: 1, output_per_mtok: 2 }, msg.usage.input_tokens, msg.usage.output_tokens));
    expect(row.cost_nusd).toBeGreaterThan(0);
  });

  it("also takes Authorization: Bearer; refuses a missing or bad key with Anthropic's 401 shape", async () => {
    const org = await createOrg();
    const ok = await post("/v1/messages", { model: "sim-chat", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }, { authorization: `Bearer ${org.apiKey}` });
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    const missing = await post("/v1/messages", { model: "sim-chat", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }, {});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    const bad = await messages("sk-sy-not-a-key", { model: "sim-chat", max_tokens: 8, messages: [{ role: "user", content: "hi" }] });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
  });

  it("answers bad bodies and unknown models in Anthropic's shape (400, 404)", async () => {
    const org = await createOrg();
    const noMax = await messages(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "hi" }] });
    expect(noMax.status).toBe(400);
    const body = await noMax.json<{ type: string; error: { type: string; message: string } }>();
    expect(body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(body.error.message).toContain("max_tokens");
    const unknown = await messages(org.apiKey, { model: "no-such-model", max_tokens: 8, messages: [{ role: "user", content: "hi" }] });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
  });

  it("DLP blocks (403 permission_error) and redacts before the provider, on the mapped request", async () => {
    const org = await createOrg();
    const secret = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
    const blocked = await messages(org.apiKey, { model: "sim-chat", max_tokens: 8, messages: [{ role: "user", content: [{ type: "text", text: `key ${secret}` }] }] });
    expect(blocked.status).toBe(403);
    const text = await blocked.text();
    expect(text).not.toContain(secret);
    expect(JSON.parse(text)).toMatchObject({ type: "error", error: { type: "permission_error" } });
    const card = "4111 1111 1111 1111";
    const res = await messages(org.apiKey, { model: "sim-chat", max_tokens: 8, messages: [{ role: "user", content: `card ${card} please` }] });
    expect(res.status).toBe(200);
    const rid = res.headers.get("x-request-id")!;
    await res.arrayBuffer();
    const row = await eventually(() => env.DB.prepare("SELECT body_key FROM request_logs WHERE request_id = ?").bind(rid).first<{ body_key: string }>());
    const logged = await (await env.BLOBS.get(row.body_key))!.text();
    expect(logged).toContain("[CREDIT_CARD]");
    expect(logged).not.toContain(card);
  });

  it("a team over budget gets 429 rate_limit_error in Anthropic's shape, with retry-after", async () => {
    const org = await createOrg({ budgetUsd: 0 });
    const res = await messages(org.apiKey, { model: "sim-chat", max_tokens: 8, messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    const row = await usageRow(res.headers.get("x-request-id")!);
    expect(row).toMatchObject({ status: 429, error_code: "budget_exceeded", cost_nusd: 0 });
  });

  it("streams Anthropic's event sequence with usage in message_delta", async () => {
    const org = await createOrg();
    const res = await messages(org.apiKey, { model: "sim-chat", max_tokens: 64, stream: true, messages: [{ role: "user", content: "Stream to me" }] });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const seq = events(await res.text());
    const names = seq.map(([e]) => e);
    expect(names.slice(0, 3)).toEqual(["message_start", "ping", "content_block_start"]);
    expect(names.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    expect(names).toContain("content_block_delta");
    const text = seq.filter(([e]) => e === "content_block_delta").map(([, d]) => (d.delta as { text: string }).text).join("");
    expect(text.split(" ").length).toBeGreaterThan(3);
    const delta = seq.find(([e]) => e === "message_delta")![1] as { delta: { stop_reason: string }; usage: { output_tokens: number; input_tokens: number } };
    expect(delta.delta.stop_reason).toBe("end_turn");
    const row = await usageRow(res.headers.get("x-request-id")!);
    expect(row.tokens_out).toBe(delta.usage.output_tokens);
    expect(row.tokens_in).toBe(delta.usage.input_tokens);
    expect(row.cost_nusd).toBe(costNusd({ input_per_mtok: 1, output_per_mtok: 2 }, row.tokens_in, row.tokens_out));
  });

  it("maps tool use both ways: tool_use blocks out, tool_result in; input_json_delta when streamed", async () => {
    const org = await createOrg();
    const tools = [{ name: "get_weather", description: "weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }];
    const res = await messages(org.apiKey, { model: "sim-chat", max_tokens: 64, tools, tool_choice: { type: "any" }, messages: [{ role: "user", content: "weather in Paris?" }] });
    const msg = await res.json<{ stop_reason: string; content: Array<{ type: string; id: string; name: string; input: unknown }> }>();
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.content[0]).toMatchObject({ type: "tool_use", name: "get_weather", input: {} });
    const followUp = await messages(org.apiKey, {
      model: "sim-chat", max_tokens: 64, tools,
      messages: [
        { role: "user", content: "weather in Paris?" },
        { role: "assistant", content: msg.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: msg.content[0].id, content: "sunny, 21C" }] },
      ],
    });
    expect(followUp.status).toBe(200);
    expect((await followUp.json<{ stop_reason: string }>()).stop_reason).toBe("end_turn");
    const streamed = await messages(org.apiKey, { model: "sim-chat", max_tokens: 64, stream: true, tools, tool_choice: { type: "tool", name: "get_weather" }, messages: [{ role: "user", content: "weather?" }] });
    const seq = events(await streamed.text());
    const start = seq.find(([e, d]) => e === "content_block_start" && (d.content_block as { type: string }).type === "tool_use");
    expect(start?.[1].content_block).toMatchObject({ type: "tool_use", name: "get_weather" });
    expect(seq.some(([e, d]) => e === "content_block_delta" && (d.delta as { type: string }).type === "input_json_delta")).toBe(true);
    expect((seq.find(([e]) => e === "message_delta")![1].delta as { stop_reason: string }).stop_reason).toBe("tool_use");
  });

  // The first count loads the tokenizer (lazily, once per isolate): slow on a loaded machine.
  it("count_tokens counts without calling a provider or billing", { timeout: 30_000 }, async () => {
    const org = await createOrg();
    const short = await post("/v1/messages/count_tokens", { model: "sim-chat", messages: [{ role: "user", content: "hi" }] }, { "x-api-key": org.apiKey });
    const long = await post("/v1/messages/count_tokens", { model: "sim-chat", system: "a long system prompt about many things", messages: [{ role: "user", content: "hi there, how are you today?" }] }, { "x-api-key": org.apiKey });
    expect(short.status).toBe(200);
    const a = await short.json<{ input_tokens: number }>();
    const b = await long.json<{ input_tokens: number }>();
    expect(a.input_tokens).toBeGreaterThan(0);
    expect(b.input_tokens).toBeGreaterThan(a.input_tokens);
    const bad = await post("/v1/messages/count_tokens", { model: "sim-chat" }, { "x-api-key": org.apiKey });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });
});

describe("residency forwarding on the new paths", () => {
  it("an eu team's /v1/messages (x-api-key auth) reaching the us edge is forwarded and answered there in Anthropic's shape", async () => {
    const org = await createOrg({ residency: "eu" });
    const viaUs = async () => {
      const ctx = createExecutionContext();
      const res = await app.fetch(
        new Request(`${BASE}/v1/messages`, {
          method: "POST",
          headers: { "x-api-key": org.apiKey, "content-type": "application/json" },
          body: JSON.stringify({ model: "sim-chat", max_tokens: 16, messages: [{ role: "user", content: "where?" }] }),
        }),
        { ...env, REGION: "us", REGION_EDGES: JSON.stringify({ eu: "service:EDGE_EU" }) },
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return res.status === 200 ? res : (await res.text(), undefined);
    };
    const res = await eventually(viaUs);
    expect(res.headers.get("x-switchyard-forwarded-to")).toBe("eu");
    expect(res.headers.get("x-switchyard-region")).toBe("eu");
    expect(await res.json()).toMatchObject({ type: "message", role: "assistant" });
  });
});

describe("POST /v1/responses", () => {
  it("answers a response object for a string input with instructions, usage row with exact cost", async () => {
    const org = await createOrg();
    const res = await responses(org.apiKey, { model: "sim-chat", instructions: "be brief", input: "Hello there", max_output_tokens: 64 });
    expect(res.status).toBe(200);
    const body = await res.json<{ object: string; status: string; output: Array<{ type: string; content: Array<{ type: string; text: string }> }>; usage: { input_tokens: number; output_tokens: number; total_tokens: number } }>();
    expect(body).toMatchObject({ object: "response", status: "completed" });
    expect(body.output[0].type).toBe("message");
    expect(body.output[0].content[0].type).toBe("output_text");
    expect(body.usage.total_tokens).toBe(body.usage.input_tokens + body.usage.output_tokens);
    const row = await usageRow(res.headers.get("x-request-id")!);
    expect(row).toMatchObject({ status: 200, ingress: "openai.responses", tokens_in: body.usage.input_tokens, tokens_out: body.usage.output_tokens });
    expect(row.cost_nusd).toBe(costNusd({ input_per_mtok: 1, output_per_mtok: 2 }, body.usage.input_tokens, body.usage.output_tokens));
  });

  it("text.format reaches the provider as response_format (JSON mode answers JSON)", async () => {
    const org = await createOrg();
    const res = await responses(org.apiKey, { model: "sim-chat", input: "give me json", text: { format: { type: "json_object" } } });
    const body = await res.json<{ output: Array<{ content: Array<{ text: string }> }>; text: { format: { type: string } } }>();
    expect(JSON.parse(body.output[0].content[0].text)).toHaveProperty("reply");
    expect(body.text.format.type).toBe("json_object");
  });

  it("refuses store: true and previous_response_id with a clear 400 (stateless)", async () => {
    const org = await createOrg();
    const stored = await responses(org.apiKey, { model: "sim-chat", input: "hi", store: true });
    expect(stored.status).toBe(400);
    const err = (await stored.json<{ error: { message: string; param: string } }>()).error;
    expect(err.param).toBe("store");
    expect(err.message).toContain("stateless");
    const chained = await responses(org.apiKey, { model: "sim-chat", input: "hi", previous_response_id: "resp_123" });
    expect(chained.status).toBe(400);
    expect((await chained.json<{ error: { param: string } }>()).error.param).toBe("previous_response_id");
  });

  it("function tools: a function_call item out, function_call_output in", async () => {
    const org = await createOrg();
    const tools = [{ type: "function", name: "get_weather", parameters: { type: "object", properties: {} } }];
    const res = await responses(org.apiKey, { model: "sim-chat", input: "weather?", tools, tool_choice: "required" });
    const body = await res.json<{ output: Array<{ type: string; call_id: string; name: string; arguments: string }> }>();
    expect(body.output[0]).toMatchObject({ type: "function_call", name: "get_weather", arguments: "{}" });
    const next = await responses(org.apiKey, {
      model: "sim-chat", tools,
      input: [{ role: "user", content: "weather?" }, body.output[0], { type: "function_call_output", call_id: body.output[0].call_id, output: "sunny" }],
    });
    expect(next.status).toBe(200);
    expect((await next.json<{ output: Array<{ type: string }> }>()).output[0].type).toBe("message");
  });

  it("streams the Responses event sequence, ending with response.completed and usage", async () => {
    const org = await createOrg();
    const res = await responses(org.apiKey, { model: "sim-chat", input: [{ role: "user", content: [{ type: "input_text", text: "Stream to me" }] }], stream: true });
    const seq = events(await res.text());
    const names = seq.map(([e]) => e);
    expect(names.slice(0, 4)).toEqual(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]);
    expect(names.at(-1)).toBe("response.completed");
    expect(seq.map(([, d]) => d.sequence_number)).toEqual(seq.map((_, i) => i));
    const text = seq.filter(([e]) => e === "response.output_text.delta").map(([, d]) => d.delta).join("");
    const done = seq.find(([e]) => e === "response.output_text.done")![1];
    expect(done.text).toBe(text);
    const completed = seq.at(-1)![1].response as { usage: { input_tokens: number; output_tokens: number }; output: Array<{ content: Array<{ text: string }> }> };
    expect(completed.output[0].content[0].text).toBe(text);
    const row = await usageRow(res.headers.get("x-request-id")!);
    expect(row.tokens_out).toBe(completed.usage.output_tokens);
    const tools = [{ type: "function", name: "lookup", parameters: { type: "object", properties: {} } }];
    const toolStream = await responses(org.apiKey, { model: "sim-chat", input: "x", tools, tool_choice: { type: "function", name: "lookup" }, stream: true });
    const toolSeq = events(await toolStream.text()).map(([e]) => e);
    expect(toolSeq).toContain("response.function_call_arguments.delta");
    expect(toolSeq).toContain("response.function_call_arguments.done");
  });

  it("a team over budget gets the OpenAI envelope's 429", async () => {
    const org = await createOrg({ budgetUsd: 0 });
    const res = await responses(org.apiKey, { model: "sim-chat", input: "hi" });
    expect(res.status).toBe(429);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe("budget_exceeded");
  });
});
