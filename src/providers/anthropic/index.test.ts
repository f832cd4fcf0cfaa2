import { describe, expect, it } from "vitest";
import { attemptChat, attemptEmbeddings } from "../execute";
import { byteStream, chatCall, embeddingsCall, runStream, runtime } from "../testing";
import type { ChatCall } from "../types";
import adapter from "./index";
import * as wire from "./fixtures/wire";

const provider = runtime({ type: "anthropic", apiKey: "sk-ant-test" });
const call = (request: Partial<ChatCall["request"]>, stream = false): ChatCall =>
  chatCall({ ...request, stream }, { provider, model: "claude-sonnet-4-5", stream });
const body = (c: ChatCall) => JSON.parse(adapter.chat.request(c).body ?? "{}") as Record<string, unknown>;

describe("anthropic request mapping", () => {
  it("addresses the Messages API with x-api-key and anthropic-version", () => {
    const req = adapter.chat.request(call({}));
    expect(req.url).toBe("https://api.anthropic.com/v1/messages");
    expect(req.method).toBe("POST");
    expect(req.headers).toMatchObject({ "x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01", "content-type": "application/json" });
    expect(req.headers.authorization).toBeUndefined();
  });

  it("honours base_url, options.version and options.beta", () => {
    const c = chatCall({}, { provider: runtime({ type: "anthropic", baseUrl: "http://proxy:8080/v1/", options: { version: "2024-01-01", beta: "tools-2024" } }), model: "m" });
    const req = adapter.chat.request(c);
    expect(req.url).toBe("http://proxy:8080/v1/messages");
    expect(req.headers["anthropic-version"]).toBe("2024-01-01");
    expect(req.headers["anthropic-beta"]).toBe("tools-2024");
  });

  it("moves system and developer messages to `system` and defaults max_tokens", () => {
    const b = body(
      call({
        messages: [
          { role: "system", content: "Be terse." },
          { role: "developer", content: [{ type: "text", text: "Answer in English." }] },
          { role: "user", content: "Hi" },
        ],
      }),
    );
    expect(b).toEqual({ model: "claude-sonnet-4-5", max_tokens: 4096, system: "Be terse.\n\nAnswer in English.", messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }] });
  });

  it("maps sampling parameters through the table (temperature clamped, stop as a list)", () => {
    const b = body(call({ max_tokens: 10, max_completion_tokens: 20, temperature: 1.7, top_p: 0.9, stop: "END", user: "u-1" }));
    expect(b).toMatchObject({ max_tokens: 20, temperature: 1, top_p: 0.9, stop_sequences: ["END"], metadata: { user_id: "u-1" } });
    expect(b.stream).toBeUndefined();
    expect(body(call({}, true)).stream).toBe(true);
  });

  it("maps tool definitions, tool_choice and parallel_tool_calls", () => {
    const tools = [{ type: "function" as const, function: { name: "get_weather", description: "Weather now", parameters: { type: "object", properties: { location: { type: "string" } } } } }];
    const b = body(call({ tools, tool_choice: { type: "function", function: { name: "get_weather" } }, parallel_tool_calls: false }));
    expect(b.tools).toEqual([{ name: "get_weather", description: "Weather now", input_schema: { type: "object", properties: { location: { type: "string" } } } }]);
    expect(b.tool_choice).toEqual({ type: "tool", name: "get_weather", disable_parallel_tool_use: true });
    expect(body(call({ tools, tool_choice: "required" })).tool_choice).toEqual({ type: "any" });
    expect(body(call({ tools, tool_choice: "none" })).tool_choice).toEqual({ type: "none" });
    expect(body(call({ tools })).tool_choice).toBeUndefined();
  });

  it("maps assistant tool_calls to tool_use and tool messages to one merged user turn of tool_result", () => {
    const b = body(
      call({
        messages: [
          { role: "user", content: "Weather in SF and NYC?" },
          {
            role: "assistant",
            content: "",
            tool_calls: [
              { id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"location":"SF"}' } },
              { id: "toolu_2", type: "function", function: { name: "get_weather", arguments: '{"location":"NYC"}' } },
            ],
          },
          { role: "tool", tool_call_id: "toolu_1", content: "18C" },
          { role: "tool", tool_call_id: "toolu_2", content: "25C" },
          { role: "user", content: "Thanks" },
        ],
      }),
    );
    expect(b.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in SF and NYC?" }] },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "toolu_1", name: "get_weather", input: { location: "SF" } },
          { type: "tool_use", id: "toolu_2", name: "get_weather", input: { location: "NYC" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: "18C" },
          { type: "tool_result", tool_use_id: "toolu_2", content: "25C" },
          { type: "text", text: "Thanks" },
        ],
      },
    ]);
  });

  it("maps data: and https image parts to image blocks", () => {
    const b = body(
      call({
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
              { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
            ],
          },
        ],
      }),
    );
    expect((b.messages as Array<{ content: unknown[] }>)[0].content).toEqual([
      { type: "text", text: "What is this?" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
      { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
    ]);
  });

  it("refuses what Anthropic cannot do, so the executor can try another target", async () => {
    const a = await attemptChat(adapter, call({ n: 2 }), { timeoutMs: 1000 });
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.failure).toMatchObject({ kind: "unsupported", retryable: true });
    const e = await attemptEmbeddings(adapter, embeddingsCall({}, { provider }), { timeoutMs: 1000 });
    expect(e.ok).toBe(false);
    if (!e.ok) expect(e.failure.kind).toBe("unsupported");
  });
});

describe("anthropic response mapping", () => {
  it("maps a text message with usage including cached input", () => {
    const c = adapter.chat.response(wire.textResponse, call({}));
    expect(c).toMatchObject({
      id: "msg_01XFDUDYJgAACzvnptvVoYEL",
      object: "chat.completion",
      model: "claude-sonnet-4-5-20250929",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello! How can I help you today?" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 112, completion_tokens: 10, total_tokens: 122 },
    });
  });

  it("maps tool_use blocks to tool_calls and stop_reason tool_use to tool_calls", () => {
    const c = adapter.chat.response(wire.toolUseResponse, call({}));
    expect(c.choices[0].finish_reason).toBe("tool_calls");
    expect(c.choices[0].message.content).toBe("I'll check the weather in San Francisco.");
    expect(c.choices[0].message.tool_calls).toEqual([
      { id: "toolu_01A09q90qw90lq917835lq9", type: "function", function: { name: "get_weather", arguments: '{"location":"San Francisco, CA","unit":"celsius"}' } },
    ]);
    expect(adapter.chat.response(wire.maxTokensResponse, call({})).choices[0].finish_reason).toBe("length");
  });

  it("rejects a malformed body", () => {
    expect(() => adapter.chat.response({ nope: true }, call({}))).toThrow(/malformed/);
  });

  it("maps error bodies to envelope fields", () => {
    expect(adapter.error(529, wire.overloadedError)).toEqual({ message: "Overloaded", type: "overloaded_error", code: "overloaded_error" });
    expect(adapter.error(400, wire.invalidRequestError)).toEqual({ message: "messages: text content blocks must be non-empty", type: "invalid_request_error", code: "invalid_request_error" });
    expect(adapter.error(502, "<html>bad gateway</html>")).toEqual({ message: "upstream answered 502", type: "upstream_error", code: null });
  });
});

describe("anthropic streaming through pipeStream", () => {
  it("streams text with role first, finish reason and usage, whatever the byte cuts", async () => {
    for (const cuts of [{ every: 1 }, { every: 7 }, [3, 40, 41, 200, 333]]) {
      const r = await runStream(adapter, call({ stream_options: { include_usage: true } }, true), byteStream(wire.textStream, cuts));
      expect(r.content).toBe("Olá — wörld 👋");
      expect(r.chunks[0].choices[0].delta).toEqual({ role: "assistant", content: "" });
      expect(r.chunks.every((c) => c.id === "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY" && c.object === "chat.completion.chunk")).toBe(true);
      expect(r.finishReasons).toEqual(["stop"]);
      const last = r.chunks[r.chunks.length - 1];
      expect(last.choices).toEqual([]);
      expect(last.usage).toEqual({ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 });
      expect(r.payloads[r.payloads.length - 1]).toBe("[DONE]");
      expect(r.summary).toMatchObject({ text: "Olá — wörld 👋", finishReason: "stop", usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 }, error: undefined, clientClosed: false });
    }
  });

  it("sends no usage chunk unless asked, but still reports usage in the summary", async () => {
    const r = await runStream(adapter, call({}, true), byteStream(wire.textStream, { every: 64 }));
    expect(r.chunks.some((c) => c.usage)).toBe(false);
    expect(r.summary.usage?.total_tokens).toBe(40);
  });

  it("streams tool_use blocks as OpenAI tool_call deltas", async () => {
    const r = await runStream(adapter, call({}, true), byteStream(wire.toolStream, { every: 13 }));
    expect(r.content).toBe("Okay, let's check the weather.");
    expect(r.toolCalls).toEqual([{ id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather", arguments: '{"location": "San Francisco, CA", "unit": "fahrenheit"}' }]);
    const first = r.chunks.find((c) => c.choices[0]?.delta.tool_calls)!;
    expect(first.choices[0].delta.tool_calls![0]).toEqual({ index: 0, id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", type: "function", function: { name: "get_weather", arguments: "" } });
    expect(r.finishReasons).toEqual(["tool_calls"]);
    expect(r.summary.usage).toEqual({ prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 });
  });

  it("forwards an in-stream error event and reports it in the summary", async () => {
    const r = await runStream(adapter, call({}, true), byteStream(wire.errorStream, { every: 29 }));
    expect(r.content).toBe("Partial");
    expect(JSON.parse(r.payloads[r.payloads.length - 2])).toEqual({ error: { message: "Overloaded", type: "overloaded_error", code: "overloaded_error", param: null } });
    expect(r.payloads[r.payloads.length - 1]).toBe("[DONE]");
    expect(r.summary.error).toEqual({ message: "Overloaded", type: "overloaded_error", code: "overloaded_error" });
    expect(r.summary.finishReason).toBeNull();
  });

  it("reports a stream that ends before message_stop as truncated", async () => {
    const r = await runStream(adapter, call({}, true), byteStream(wire.truncatedStream, { every: 50 }));
    expect(r.content).toBe("Olá — wörld 👋");
    expect(r.summary.error?.code).toBe("stream_truncated");
    expect(r.finishReasons).toEqual([]);
  });

  it("runs a whole streamed attempt through attemptChat with a fetch-free transport", async () => {
    const streaming: typeof adapter = {
      ...adapter,
      transport: async (req) => {
        expect(JSON.parse(req.body ?? "{}").stream).toBe(true);
        return new Response(byteStream(wire.textStream, { every: 5 }), { headers: { "content-type": "text/event-stream" } });
      },
    };
    const a = await attemptChat(streaming, call({}, true), { timeoutMs: 1000 });
    expect(a.ok && a.kind).toBe("stream");
    if (a.ok && a.kind === "stream") {
      await new Response(a.body).text();
      expect((await a.summary).text).toBe("Olá — wörld 👋");
    }
  });

  it("maps a 529 answer to a retryable status failure", async () => {
    const failing: typeof adapter = { ...adapter, transport: async () => new Response(wire.overloadedError, { status: 529 }) };
    const a = await attemptChat(failing, call({}), { timeoutMs: 1000 });
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.failure).toMatchObject({ kind: "status", status: 529, retryable: true, error: { type: "overloaded_error" } });
  });
});
