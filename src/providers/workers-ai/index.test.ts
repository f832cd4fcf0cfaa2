import { describe, expect, it } from "vitest";
import { attemptChat, attemptEmbeddings } from "../execute";
import { byteStream, chatCall, embeddingsCall, runStream, runtime } from "../testing";
import type { ChatCall } from "../types";
import adapter from "./index";
import * as wire from "./fixtures/wire";

const MODEL = "@cf/meta/llama-3.1-8b-instruct";
const provider = runtime({ type: "workers-ai" });
const call = (request: Partial<ChatCall["request"]>, stream = false): ChatCall => chatCall({ ...request, stream }, { provider, model: MODEL, stream });

/** A stand-in for the AI binding that records what it was asked and answers `answer`. */
function fakeAi(answer: (model: string, inputs: Record<string, unknown>) => unknown) {
  const calls: Array<{ model: string; inputs: Record<string, unknown>; signal?: AbortSignal }> = [];
  const ai = {
    async run(model: string, inputs: Record<string, unknown>, options?: { signal?: AbortSignal }) {
      calls.push({ model, inputs, signal: options?.signal });
      return answer(model, inputs);
    },
  } as unknown as Ai;
  return { ai, calls };
}

describe("workers-ai request mapping", () => {
  it("addresses the binding with a pseudo-URL and maps messages and parameters", () => {
    const req = adapter.chat.request(
      call({
        messages: [
          { role: "developer", content: "Be brief." },
          { role: "user", content: [{ type: "text", text: "Hi " }, { type: "text", text: "there" }] },
          { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }] },
          { role: "tool", tool_call_id: "c1", content: "ok" },
        ],
        max_completion_tokens: 300,
        temperature: 0.3,
        stop: ["x"],
        tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
      }),
    );
    expect(req.url).toBe(`workers-ai://chat/${MODEL}`);
    expect(req.headers).toEqual({ "content-type": "application/json" });
    expect(JSON.parse(req.body ?? "")).toEqual({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi there" },
        { role: "assistant", content: "", tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }] },
        { role: "tool", content: "ok", tool_call_id: "c1" },
      ],
      max_tokens: 300,
      temperature: 0.3,
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
    });
  });

  it("uses options.max_tokens as the default and sets stream only for streams", () => {
    const c = chatCall({ stream: true }, { provider: runtime({ type: "workers-ai", options: { max_tokens: "2048" } }), model: MODEL, stream: true });
    expect(JSON.parse(adapter.chat.request(c).body ?? "")).toMatchObject({ max_tokens: 2048, stream: true });
    expect(JSON.parse(adapter.chat.request(call({})).body ?? "").stream).toBeUndefined();
  });
});

describe("workers-ai through the binding transport", () => {
  it("answers 503 with a clear error when the AI binding is missing", async () => {
    const a = await attemptChat(adapter, call({}), { timeoutMs: 1000 });
    expect(a.ok).toBe(false);
    if (!a.ok) {
      expect(a.failure).toMatchObject({ kind: "status", status: 503, retryable: true, error: { type: "service_unavailable", code: "ai_binding_missing" } });
      expect(a.failure.error.message).toMatch(/AI binding is not configured/);
    }
  });

  it("maps a native result to a chat.completion and passes the abort signal", async () => {
    const { ai, calls } = fakeAi(() => wire.textResult);
    const a = await attemptChat(adapter, call({ max_tokens: 20 }), { timeoutMs: 1000, ai });
    expect(calls[0].model).toBe(MODEL);
    expect(calls[0].inputs).toMatchObject({ max_tokens: 20, messages: [{ role: "user", content: "Hi" }] });
    expect(calls[0].signal).toBeInstanceOf(AbortSignal);
    expect(a.ok && a.kind).toBe("json");
    if (a.ok && a.kind === "json") {
      expect(a.completion).toMatchObject({
        object: "chat.completion",
        model: MODEL,
        choices: [{ index: 0, message: { role: "assistant", content: "Hello from the edge!" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 18, completion_tokens: 6, total_tokens: 24 },
      });
    }
  });

  it("maps native tool_calls (object arguments) to OpenAI tool_calls", () => {
    const c = adapter.chat.response(wire.toolResult, call({}));
    expect(c.choices[0].finish_reason).toBe("tool_calls");
    expect(c.choices[0].message.content).toBeNull();
    expect(c.choices[0].message.tool_calls).toEqual([{ id: expect.stringMatching(/^call_/), type: "function", function: { name: "get_weather", arguments: '{"location":"Lisbon"}' } }]);
  });

  it("passes an OpenAI-format result through", () => {
    const c = adapter.chat.response(wire.openAiFormatResult, call({}));
    expect(c).toMatchObject({ id: "id-1778255778230", model: "@cf/openai/gpt-oss-120b", choices: [{ message: { content: "Hi!" } }], usage: { total_tokens: 46 } });
  });

  it("maps thrown binding errors to documented statuses: 429 retryable, 400 not", async () => {
    const busy = await attemptChat(adapter, call({}), { timeoutMs: 1000, ai: fakeAi(() => Promise.reject(wire.capacityError)).ai });
    expect(!busy.ok && busy.failure).toMatchObject({ status: 429, retryable: true, error: { type: "rate_limit_error", code: "workers_ai_3040", message: wire.capacityError.message } });
    const missing = await attemptChat(adapter, call({}), { timeoutMs: 1000, ai: fakeAi(() => Promise.reject(wire.noSuchModelError)).ai });
    expect(!missing.ok && missing.failure).toMatchObject({ status: 400, retryable: false, error: { type: "invalid_request_error", code: "workers_ai_5007" } });
    const odd = await attemptChat(adapter, call({}), { timeoutMs: 1000, ai: fakeAi(() => Promise.reject(new Error("boom"))).ai });
    expect(!odd.ok && odd.failure).toMatchObject({ status: 500, retryable: true });
  });

  it("ends a binding call that never answers at the attempt timeout", async () => {
    const { ai } = fakeAi(() => new Promise(() => {}));
    const a = await attemptChat(adapter, call({}), { timeoutMs: 30, ai });
    expect(!a.ok && a.failure).toMatchObject({ kind: "timeout", retryable: true });
  });

  it("streams a native binding stream end to end through attemptChat", async () => {
    const { ai, calls } = fakeAi(() => byteStream(wire.textStream, { every: 3 }));
    const a = await attemptChat(adapter, call({ stream_options: { include_usage: true } }, true), { timeoutMs: 1000, ai });
    expect(calls[0].inputs.stream).toBe(true);
    expect(a.ok && a.kind).toBe("stream");
    if (a.ok && a.kind === "stream") {
      const text = await new Response(a.body).text();
      expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
      const summary = await a.summary;
      expect(summary).toMatchObject({ text: "Hello from Lisboa — olá 🌍", finishReason: "stop", usage: { prompt_tokens: 18, completion_tokens: 7, total_tokens: 25 } });
      expect(text).toContain('"usage":{"prompt_tokens":18');
    }
  });
});

describe("workers-ai streaming through pipeStream", () => {
  it("maps native response events at awkward cuts", async () => {
    for (const cuts of [{ every: 1 }, { every: 17 }, [5, 6, 7, 150]]) {
      const r = await runStream(adapter, call({}, true), byteStream(wire.textStream, cuts));
      expect(r.content).toBe("Hello from Lisboa — olá 🌍");
      expect(r.chunks[0].choices[0].delta.role).toBe("assistant");
      expect(r.finishReasons).toEqual(["stop"]);
      expect(r.chunks.some((c) => c.usage)).toBe(false);
      expect(r.summary.usage?.total_tokens).toBe(25);
      expect(r.payloads.filter((p) => p === "[DONE]")).toHaveLength(1);
    }
  });

  it("assembles streamed tool calls and finishes with tool_calls", async () => {
    const r = await runStream(adapter, call({}, true), byteStream(wire.toolStream, { every: 11 }));
    expect(r.toolCalls).toEqual([{ id: "chatcmpl-tool-7c1e", name: "get_weather", arguments: '{"location": "Lisbon"}' }]);
    expect(r.finishReasons).toEqual(["tool_calls"]);
    expect(r.summary.finishReason).toBe("tool_calls");
  });

  it("reads OpenAI-format streams from newer models", async () => {
    const r = await runStream(adapter, call({ stream_options: { include_usage: true } }, true), byteStream(wire.openAiFormatStream, { every: 23 }));
    expect(r.content).toBe("Hello!");
    expect(r.finishReasons).toEqual(["length"]);
    expect(r.chunks[r.chunks.length - 1].usage).toEqual({ prompt_tokens: 44, completion_tokens: 2, total_tokens: 46 });
  });

  it("reports a stream without [DONE] as truncated", async () => {
    const r = await runStream(adapter, call({}, true), byteStream(wire.truncatedStream, { every: 19 }));
    expect(r.summary.error?.code).toBe("stream_truncated");
  });
});

describe("workers-ai embeddings", () => {
  const ecall = embeddingsCall({ input: ["alpha beta", "gamma"] }, { provider, model: "@cf/baai/bge-base-en-v1.5" });

  it("sends {text: [...]} to the embedding model and maps {shape, data}", async () => {
    const req = adapter.embeddings!.request(ecall);
    expect(req.url).toBe("workers-ai://embeddings/@cf/baai/bge-base-en-v1.5");
    expect(JSON.parse(req.body ?? "")).toEqual({ text: ["alpha beta", "gamma"] });
    const { ai, calls } = fakeAi(() => wire.embeddingsResult);
    const a = await attemptEmbeddings(adapter, ecall, { timeoutMs: 1000, ai });
    expect(calls[0]).toMatchObject({ model: "@cf/baai/bge-base-en-v1.5", inputs: { text: ["alpha beta", "gamma"] } });
    expect(a.ok).toBe(true);
    if (a.ok) {
      expect(a.response).toEqual({
        object: "list",
        model: "@cf/baai/bge-base-en-v1.5",
        data: [
          { object: "embedding", index: 0, embedding: wire.embeddingsResult.data[0] },
          { object: "embedding", index: 1, embedding: wire.embeddingsResult.data[1] },
        ],
        usage: { prompt_tokens: 5, total_tokens: 5 },
      });
    }
  });

  it("answers 503 without the binding", async () => {
    const a = await attemptEmbeddings(adapter, ecall, { timeoutMs: 1000 });
    expect(!a.ok && a.failure).toMatchObject({ status: 503, retryable: true });
  });
});
