import { describe, expect, it } from "vitest";
import type { ChatCompletionChunk } from "../../gateway/schemas";
import { AnthropicChatRequest, toChatRequest } from "./request";
import { anthropicErrorType, toAnthropicMessage } from "./response";
import { anthropicStreamEncoder } from "./stream";

const chunk = (delta: ChatCompletionChunk["choices"][number]["delta"], finish: string | null = null): ChatCompletionChunk => ({
  id: "chatcmpl-abc", object: "chat.completion.chunk", created: 1, model: "up", choices: [{ index: 0, delta, finish_reason: finish }],
});

/** SSE text → event names with their data. */
function parse(sse: string): Array<{ event: string; data: Record<string, unknown> }> {
  return sse.split("\n\n").filter(Boolean).map((f) => ({ event: /^event: (.*)$/m.exec(f)![1], data: JSON.parse(/^data: (.*)$/m.exec(f)![1]) }));
}

describe("Anthropic request → chat request", () => {
  it("maps system, images, tool use and tool results (results first in their user turn), drops thinking", () => {
    const chat = toChatRequest({
      model: "m", max_tokens: 100, system: [{ type: "text", text: "rule one" }, { type: "text", text: "rule two" }],
      stop_sequences: ["END"], top_k: 5, temperature: 0.3, tool_choice: { type: "any", disable_parallel_tool_use: true },
      tools: [{ name: "f", input_schema: { type: "object" } }], metadata: { user_id: "u1" },
      messages: [
        { role: "user", content: [{ type: "text", text: "look" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "AAA" } }] },
        { role: "assistant", content: [{ type: "thinking", thinking: "hmm", signature: "s" }, { type: "text", text: "calling" }, { type: "tool_use", id: "t1", name: "f", input: { a: 1 } }] },
        { role: "user", content: [{ type: "text", text: "and then?" }, { type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "boom" }], is_error: true }] },
      ],
    });
    expect(chat.messages).toEqual([
      { role: "system", content: "rule one\nrule two" },
      { role: "user", content: [{ type: "text", text: "look" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAA" } }] },
      { role: "assistant", content: "calling", tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: '{"a":1}' } }] },
      { role: "tool", tool_call_id: "t1", content: "Error: boom" },
      { role: "user", content: [{ type: "text", text: "and then?" }] },
    ]);
    expect(chat).toMatchObject({
      max_tokens: 100, stop: ["END"], top_k: 5, temperature: 0.3, tool_choice: "required", parallel_tool_calls: false, user: "u1",
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
    });
    expect(chat.stream).toBeUndefined();
  });

  it("a stream asks the pipeline for usage; a named tool choice maps to a function choice", () => {
    const chat = toChatRequest({ model: "m", max_tokens: 1, stream: true, tool_choice: { type: "tool", name: "f" }, messages: [{ role: "user", content: "x" }] });
    expect(chat.stream_options).toEqual({ include_usage: true });
    expect(chat.tool_choice).toEqual({ type: "function", function: { name: "f" } });
  });

  it("refuses unknown content blocks, server tools and a turn-less request", () => {
    const base = { model: "m", max_tokens: 1 };
    expect(AnthropicChatRequest.safeParse({ ...base, messages: [{ role: "user", content: [{ type: "document", source: {} }] }] }).success).toBe(false);
    expect(AnthropicChatRequest.safeParse({ ...base, tools: [{ type: "web_search_20250305", name: "web_search" }], messages: [{ role: "user", content: "x" }] }).success).toBe(false);
    const empty = AnthropicChatRequest.safeParse({ ...base, messages: [{ role: "user", content: [] }] });
    expect(empty.success).toBe(false);
    expect(empty.error?.issues[0].path).toEqual(["messages"]);
  });
});

describe("chat answers → Anthropic", () => {
  it("maps a completion with text and a tool call, stop reasons and usage", () => {
    const msg = toAnthropicMessage({
      id: "chatcmpl-xyz", object: "chat.completion", created: 1, model: "up",
      choices: [{ index: 0, finish_reason: "tool_calls", message: { role: "assistant", content: "ok", tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "not json" } }] } }],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    }, "catalog-model");
    expect(msg).toMatchObject({
      id: "msg_xyz", model: "catalog-model", stop_reason: "tool_use",
      content: [{ type: "text", text: "ok" }, { type: "tool_use", id: "c1", name: "f", input: { raw: "not json" } }],
      usage: { input_tokens: 3, output_tokens: 4 },
    });
    expect([400, 401, 403, 404, 413, 429, 500, 502, 503, 504].map(anthropicErrorType)).toEqual([
      "invalid_request_error", "authentication_error", "permission_error", "not_found_error", "request_too_large",
      "rate_limit_error", "api_error", "api_error", "overloaded_error", "timeout_error",
    ]);
  });

  it("streams Anthropic's event sequence: text block, tool block with input_json_delta, message_delta with usage", () => {
    const enc = anthropicStreamEncoder({ model: "cat", messages: [] });
    let sse = enc.chunk(chunk({ role: "assistant", content: "" }));
    sse += enc.chunk(chunk({ content: "Hel" })) + enc.chunk(chunk({ content: "lo" }));
    sse += enc.chunk(chunk({ tool_calls: [{ index: 0, id: "c1", type: "function", function: { name: "f", arguments: "" } }] }));
    sse += enc.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }));
    sse += enc.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: "1}" } }] }));
    sse += enc.chunk(chunk({}, "tool_calls"));
    sse += enc.chunk({ ...chunk({}), choices: [], usage: { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 } });
    sse += enc.end();
    const events = parse(sse);
    expect(events.map((e) => e.event)).toEqual([
      "message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
      "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop",
    ]);
    expect(events[0].data.message).toMatchObject({ id: "msg_abc", model: "cat", role: "assistant", content: [] });
    expect(events[6].data).toMatchObject({ index: 1, content_block: { type: "tool_use", id: "c1", name: "f", input: {} } });
    expect(events[7].data).toMatchObject({ index: 1, delta: { type: "input_json_delta", partial_json: '{"a":' } });
    expect(events[10].data).toMatchObject({ delta: { stop_reason: "tool_use" }, usage: { input_tokens: 9, output_tokens: 5 } });
  });

  it("an error mid-stream closes the open block and ends with Anthropic's error event, no message_stop", () => {
    const enc = anthropicStreamEncoder({ model: "cat", messages: [] });
    const sse = enc.chunk(chunk({ content: "partial" })) + enc.error({ message: "upstream broke", type: "upstream_error", code: "stream_truncated", param: null }) + enc.end();
    const events = parse(sse);
    expect(events.map((e) => e.event).slice(-2)).toEqual(["content_block_stop", "error"]);
    expect(events.at(-1)!.data).toEqual({ type: "error", error: { type: "api_error", message: "upstream broke" } });
  });
});

describe("reasoning from OpenAI-compatible upstreams", () => {
  it("becomes a thinking block, in JSON and streamed (thinking_delta before the text block)", () => {
    const msg = toAnthropicMessage({
      id: "chatcmpl-r", object: "chat.completion", created: 1, model: "up",
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "42", reasoning_content: "think" } as never }],
    }, "m");
    expect(msg.content).toEqual([{ type: "thinking", thinking: "think", signature: "" }, { type: "text", text: "42" }]);
    const enc = anthropicStreamEncoder({ model: "m", messages: [] });
    const sse = enc.chunk(chunk({ reasoning_content: "hmm" } as never)) + enc.chunk(chunk({ content: "42" }, "stop")) + enc.end();
    const events = parse(sse);
    expect(events[2].data).toMatchObject({ index: 0, content_block: { type: "thinking" } });
    expect(events[3].data).toMatchObject({ index: 0, delta: { type: "thinking_delta", thinking: "hmm" } });
    expect(events[5].data).toMatchObject({ index: 1, content_block: { type: "text" } });
  });
});
