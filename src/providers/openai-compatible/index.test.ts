import { describe, expect, it } from "vitest";
import type { ChatCompletionChunk } from "../../gateway/schemas";
import { byteStream, chatCall, runStream, runtime } from "../testing";
import adapter, { openAiChatBody, openAiChatResponse, openAiError, openAiStreamTransformer } from "./index";

const provider = runtime({ baseUrl: "http://localhost:8000/v1/", apiKey: "local-key" });
const frame = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const base = { id: "c1", object: "chat.completion.chunk", created: 1, model: "m" };
const session =
  frame({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] }) +
  frame({ ...base, choices: [{ index: 0, delta: { content: "Hi" }, finish_reason: null }] }) +
  frame({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "t1", type: "function", function: { name: "f", arguments: '{"a":' } }] }, finish_reason: null }] }) +
  frame({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: "1}" } }] }, finish_reason: null }] }) +
  frame({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] }) +
  frame({ ...base, choices: [], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } }) +
  "data: [DONE]\n\n";

describe("openai-compatible request", () => {
  it("joins base_url and path, sends Bearer auth and the target model", () => {
    const req = adapter.chat.request(chatCall({ stream: false, stream_options: { include_usage: true } }, { provider }));
    expect(req.url).toBe("http://localhost:8000/v1/chat/completions");
    expect(req.headers.authorization).toBe("Bearer local-key");
    // stream_options without a stream is rejected by OpenAI: it is dropped.
    expect(JSON.parse(req.body ?? "")).toEqual({ model: "upstream-model", messages: [{ role: "user", content: "Hi" }] });
  });

  it("omits auth when no key is configured", () => {
    const req = adapter.chat.request(chatCall({}, { provider: runtime({ baseUrl: "http://ollama:11434/v1" }) }));
    expect(req.headers.authorization).toBeUndefined();
  });

  it("always asks streams for usage, keeping other stream options", () => {
    const body = JSON.parse(openAiChatBody(chatCall({ stream: true, stream_options: { include_usage: false } }, { stream: true })));
    expect(body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });
});

describe("openai-compatible stream transformer", () => {
  it("drops the usage-only chunk unless the client asked for it, but keeps usage for accounting", async () => {
    const r = await runStream(adapter, chatCall({ stream: true }, { provider, stream: true }), byteStream(session, { every: 9 }));
    expect(r.chunks.some((c) => c.usage)).toBe(false);
    expect(r.summary.usage).toEqual({ prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 });
    expect(r.summary.finishReason).toBe("tool_calls");
    expect(r.summary.text).toBe('Hi{"a":1}');
    expect(r.toolCalls).toEqual([{ id: "t1", name: "f", arguments: '{"a":1}' }]);
    expect(r.payloads.filter((p) => p === "[DONE]")).toHaveLength(1);
  });

  it("forwards the usage chunk byte for byte when include_usage is set", async () => {
    const r = await runStream(adapter, chatCall({ stream: true, stream_options: { include_usage: true } }, { provider, stream: true }), byteStream(session, { every: 9 }));
    expect(r.chunks[r.chunks.length - 1]).toEqual({ ...base, choices: [], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } });
    expect(r.raw).toContain(JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } }));
  });

  it("strips usage a server attached to a content chunk when it was not asked for", () => {
    const t = openAiStreamTransformer(chatCall({ stream: true }, { stream: true }));
    const out = t.push({ data: JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: "x" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }) });
    expect(out).toHaveLength(1);
    expect((out[0] as ChatCompletionChunk).usage).toBeUndefined();
    // A rewritten chunk is serialised again, not forwarded as the upstream sent it.
    expect(t.verbatim?.(out[0])).toBeUndefined();
    expect(t.usage()).toEqual({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 });
    expect(t.finishReason()).toBe("stop");
  });

  it("returns each chunk as parsed and offers the text it arrived as", () => {
    const t = openAiStreamTransformer(chatCall({ stream: true }, { stream: true }));
    const data = '{ "id":"c1", "object":"chat.completion.chunk", "created":1, "model":"m", "choices":[{"index":0,"delta":{"content":"\\u00e9"},"finish_reason":null}] }';
    const out = t.push({ data });
    expect(out).toEqual([{ ...base, choices: [{ index: 0, delta: { content: "é" }, finish_reason: null }] }]);
    expect(t.verbatim?.(out[0])).toBe(data);
    // Only the latest push's payloads are known; any other object gets serialised.
    t.push({ data: frame({ ...base, choices: [] }).slice(6, -2) });
    expect(t.verbatim?.(out[0])).toBeUndefined();
  });

  it("skips [DONE] and payloads that are not JSON objects", () => {
    const t = openAiStreamTransformer(chatCall({ stream: true }, { stream: true }));
    expect(t.push({ data: "[DONE]" })).toEqual([]);
    expect(t.push({ data: "not json" })).toEqual([]);
    expect(t.push({ data: "null" })).toEqual([]);
    expect(t.push({ data: "[1]" })).toEqual([]);
    expect(t.end()).toEqual([]);
  });
});

describe("openai-compatible answers", () => {
  it("maps error bodies of several shapes", () => {
    expect(openAiError(400, '{"error":{"message":"bad","type":"invalid_request_error","code":"x"}}')).toEqual({ message: "bad", type: "invalid_request_error", code: "x" });
    expect(openAiError(500, '{"error":{"message":"m","code":500}}')).toEqual({ message: "m", type: "upstream_error", code: "500" });
    expect(openAiError(502, '{"error":"plain string"}')).toEqual({ message: "plain string", type: "upstream_error", code: null });
    expect(openAiError(503, "Service Unavailable")).toEqual({ message: "upstream answered 503", type: "upstream_error", code: null });
  });

  it("rejects a completion without choices", () => {
    expect(() => openAiChatResponse({ id: "x" })).toThrow(/malformed/);
  });
});
