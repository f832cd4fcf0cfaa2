import { describe, expect, it } from "vitest";
import { attemptChat, attemptEmbeddings } from "../execute";
import { byteStream, chatCall, embeddingsCall, runStream, runtime } from "../testing";
import type { ChatCall } from "../types";
import adapter from "./index";
import * as wire from "./fixtures/wire";
import { SKIP_THOUGHT_SIGNATURE } from "./request";

const provider = runtime({ type: "gemini", apiKey: "AIza-test" });
const call = (request: Partial<ChatCall["request"]>, stream = false, model = "gemini-2.5-flash"): ChatCall =>
  chatCall({ ...request, stream }, { provider, model, stream });
const body = (c: ChatCall) => JSON.parse(adapter.chat.request(c).body ?? "{}") as Record<string, unknown>;
const weatherTool = { type: "function" as const, function: { name: "getWeather", description: "Weather", parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"], additionalProperties: false } } };

describe("gemini request mapping", () => {
  it("addresses generateContent and streamGenerateContent?alt=sse with x-goog-api-key", () => {
    const plain = adapter.chat.request(call({}));
    expect(plain.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent");
    expect(plain.headers).toEqual({ "content-type": "application/json", "x-goog-api-key": "AIza-test" });
    const streamed = adapter.chat.request(call({}, true, "models/gemini-2.5-pro"));
    expect(streamed.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
    expect(streamed.url).not.toContain("AIza");
  });

  it("maps messages to contents with user/model roles and system to systemInstruction", () => {
    const b = body(
      call({
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello!" },
          { role: "user", content: [{ type: "text", text: "Look:" }, { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQ" } }] },
        ],
      }),
    );
    expect(b).toEqual({
      systemInstruction: { parts: [{ text: "Be brief." }] },
      contents: [
        { role: "user", parts: [{ text: "Hi" }] },
        { role: "model", parts: [{ text: "Hello!" }] },
        { role: "user", parts: [{ text: "Look:" }, { inlineData: { mimeType: "image/jpeg", data: "/9j/4AAQ" } }] },
      ],
    });
  });

  it("maps sampling parameters and response_format into generationConfig", () => {
    const b = body(call({ temperature: 0.2, top_p: 0.8, max_tokens: 50, max_completion_tokens: 60, stop: ["x", "y"], n: 2, seed: 7, response_format: { type: "json_object" } }));
    expect(b.generationConfig).toEqual({ temperature: 0.2, topP: 0.8, maxOutputTokens: 60, stopSequences: ["x", "y"], candidateCount: 2, seed: 7, responseMimeType: "application/json" });
    const schema = { type: "object", properties: { a: { type: "string" } } };
    const s = body(call({ response_format: { type: "json_schema", json_schema: { name: "x", schema } } }));
    expect(s.generationConfig).toEqual({ responseMimeType: "application/json", responseJsonSchema: schema });
    expect(body(call({ response_format: { type: "text" } })).generationConfig).toBeUndefined();
  });

  it("maps tools to functionDeclarations (full JSON Schema) and tool_choice to toolConfig", () => {
    const b = body(call({ tools: [weatherTool], tool_choice: { type: "function", function: { name: "getWeather" } } }));
    expect(b.tools).toEqual([{ functionDeclarations: [{ name: "getWeather", description: "Weather", parametersJsonSchema: weatherTool.function.parameters }] }]);
    expect(b.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["getWeather"] } });
    expect(body(call({ tools: [weatherTool], tool_choice: "required" })).toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(body(call({ tools: [weatherTool], tool_choice: "none" })).toolConfig).toEqual({ functionCallingConfig: { mode: "NONE" } });
  });

  it("replays tool calls as functionCall parts and answers them by name in one user turn", () => {
    const messages: ChatCall["request"]["messages"] = [
      { role: "user", content: "Tokyo and Paris?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_a", type: "function", function: { name: "getWeather", arguments: '{"location":"Tokyo"}' } },
          { id: "call_b", type: "function", function: { name: "getForecast", arguments: '{"location":"Paris"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_a", content: '{"temp":21}' },
      { role: "tool", tool_call_id: "call_b", content: "sunny" },
    ];
    const b = body(call({ messages }));
    expect(b.contents).toEqual([
      { role: "user", parts: [{ text: "Tokyo and Paris?" }] },
      { role: "model", parts: [{ functionCall: { name: "getWeather", args: { location: "Tokyo" } } }, { functionCall: { name: "getForecast", args: { location: "Paris" } } }] },
      {
        role: "user",
        parts: [
          { functionResponse: { name: "getWeather", response: { temp: 21 } } },
          { functionResponse: { name: "getForecast", response: { output: "sunny" } } },
        ],
      },
    ]);
    // Gemini 3 rejects replayed calls without a thought signature: the first call carries the skip value.
    const g3 = body(call({ messages }, false, "gemini-3-pro-preview")).contents as Array<{ parts: Array<{ thoughtSignature?: string }> }>;
    expect(g3[1].parts.map((p) => p.thoughtSignature)).toEqual([SKIP_THOUGHT_SIGNATURE, undefined]);
  });

  it("refuses remote image URLs so another target can take the call", async () => {
    const a = await attemptChat(adapter, call({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] }] }), { timeoutMs: 1000 });
    expect(!a.ok && a.failure.kind).toBe("unsupported");
  });
});

describe("gemini response mapping", () => {
  it("maps text, finish reason and usage (thinking tokens count as completion)", () => {
    const c = adapter.chat.response(wire.textResponse, call({}));
    expect(c).toMatchObject({
      id: "mFc2aZ7gLe2jz7IPnIqQ8AE",
      object: "chat.completion",
      model: "gemini-2.5-flash",
      choices: [{ index: 0, message: { role: "assistant", content: "The capital of France is Paris." }, finish_reason: "stop" }],
      usage: { prompt_tokens: 8, completion_tokens: 17, total_tokens: 25 },
    });
  });

  it("maps functionCall parts to tool_calls with finish_reason tool_calls", () => {
    const c = adapter.chat.response(wire.functionCallResponse, call({}));
    const choice = c.choices[0];
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls?.map((t) => [t.type, t.function.name, t.function.arguments])).toEqual([
      ["function", "getWeather", '{"location":"Tokyo"}'],
      ["function", "getWeather", '{"location":"Paris"}'],
    ]);
    const ids = choice.message.tool_calls!.map((t) => t.id);
    expect(new Set(ids).size).toBe(2);
    expect(c.usage).toEqual({ prompt_tokens: 83, completion_tokens: 118, total_tokens: 201 });
  });

  it("maps MAX_TOKENS to length and a blocked prompt to content_filter", () => {
    expect(adapter.chat.response(wire.maxTokensResponse, call({})).choices[0].finish_reason).toBe("length");
    const blocked = adapter.chat.response(wire.blockedPromptResponse, call({}));
    expect(blocked.choices).toEqual([{ index: 0, message: { role: "assistant", content: null }, finish_reason: "content_filter", logprobs: null }]);
  });

  it("maps google.rpc error bodies", () => {
    expect(adapter.error(400, wire.invalidKeyError)).toEqual({ message: "API key not valid. Please pass a valid API key.", type: "invalid_request_error", code: "invalid_argument" });
    expect(adapter.error(429, wire.quotaError)).toMatchObject({ type: "rate_limit_error", code: "resource_exhausted" });
    expect(adapter.error(503, wire.arrayError)).toEqual({ message: "The model is overloaded. Please try again later.", type: "api_error", code: "unavailable" });
    expect(adapter.error(500, "oops")).toEqual({ message: "upstream answered 500", type: "upstream_error", code: null });
  });
});

describe("gemini streaming through pipeStream", () => {
  it("streams CRLF-framed events at awkward cuts into OpenAI chunks", async () => {
    for (const cuts of [{ every: 1 }, { every: 9 }, [1, 2, 100, 101, 250]]) {
      const r = await runStream(adapter, call({ stream_options: { include_usage: true } }, true), byteStream(wire.textStream, cuts));
      expect(r.content).toBe("Bonjour, ça va ? 🙂");
      expect(r.chunks[0].choices[0].delta.role).toBe("assistant");
      expect(r.chunks[0].id).toBe("IZI2acSKMoWl0-kPmYj2yQc");
      expect(r.finishReasons).toEqual(["stop"]);
      expect(r.chunks[r.chunks.length - 1]).toMatchObject({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 29, total_tokens: 33 } });
      expect(r.payloads[r.payloads.length - 1]).toBe("[DONE]");
      expect(r.summary).toMatchObject({ text: "Bonjour, ça va ? 🙂", finishReason: "stop", error: undefined });
    }
  });

  it("streams a whole function call as one tool_calls delta", async () => {
    const r = await runStream(adapter, call({}, true), byteStream(wire.functionCallStream, { every: 31 }));
    expect(r.toolCalls).toHaveLength(1);
    expect(r.toolCalls[0]).toMatchObject({ name: "getWeather", arguments: '{"location":"Tokyo"}' });
    expect(r.toolCalls[0].id).toMatch(/^call_/);
    expect(r.finishReasons).toEqual(["tool_calls"]);
    expect(r.summary.usage).toEqual({ prompt_tokens: 83, completion_tokens: 118, total_tokens: 201 });
  });

  it("reports a stream without a finishReason as truncated", async () => {
    const r = await runStream(adapter, call({}, true), byteStream(wire.truncatedStream, { every: 40 }));
    expect(r.content).toBe("Bonjour, ça va ? 🙂");
    expect(r.summary.error?.code).toBe("stream_truncated");
  });

  it("forwards an error object sent inside the stream", async () => {
    const r = await runStream(adapter, call({}, true), byteStream(`data: ${wire.quotaError.replace(/\n\s*/g, "")}\n\n`, { every: 10 }));
    expect(r.summary.error).toMatchObject({ type: "rate_limit_error", code: "resource_exhausted" });
    expect(JSON.parse(r.payloads[0]).error.code).toBe("resource_exhausted");
  });
});

describe("gemini embeddings", () => {
  const ecall = embeddingsCall({ input: ["first text", "second"], dimensions: 3 }, { provider, model: "text-embedding-004" });

  it("maps to batchEmbedContents", () => {
    const req = adapter.embeddings!.request(ecall);
    expect(req.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:batchEmbedContents");
    expect(req.headers["x-goog-api-key"]).toBe("AIza-test");
    expect(JSON.parse(req.body ?? "")).toEqual({
      requests: [
        { model: "models/text-embedding-004", content: { parts: [{ text: "first text" }] }, outputDimensionality: 3 },
        { model: "models/text-embedding-004", content: { parts: [{ text: "second" }] }, outputDimensionality: 3 },
      ],
    });
  });

  it("maps the response to OpenAI embeddings with an estimated usage", async () => {
    const withTransport: typeof adapter = { ...adapter, transport: async () => Response.json(wire.batchEmbedResponse) };
    const a = await attemptEmbeddings(withTransport, ecall, { timeoutMs: 1000 });
    expect(a.ok).toBe(true);
    if (a.ok) {
      expect(a.response.data).toEqual([
        { object: "embedding", index: 0, embedding: [0.013168523, -0.008711934, -0.046782676] },
        { object: "embedding", index: 1, embedding: [0.021, 0.0042, -0.031] },
      ]);
      expect(a.response.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
    }
  });

  it("refuses token-id input", async () => {
    const a = await attemptEmbeddings(adapter, embeddingsCall({ input: [1, 2, 3] }, { provider }), { timeoutMs: 1000 });
    expect(!a.ok && a.failure.kind).toBe("unsupported");
  });
});
