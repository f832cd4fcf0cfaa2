import { describe, expect, it } from "vitest";
import type { ChatCompletionChunk } from "../../gateway/schemas";
import { ResponsesChatRequest, toChatRequest } from "./request";
import { toResponse } from "./response";
import { responsesStreamEncoder } from "./stream";

const chunk = (delta: ChatCompletionChunk["choices"][number]["delta"], finish: string | null = null): ChatCompletionChunk => ({
  id: "chatcmpl-abc", object: "chat.completion.chunk", created: 1, model: "up", choices: [{ index: 0, delta, finish_reason: finish }],
});

function parse(sse: string): Array<{ event: string; data: Record<string, unknown> }> {
  return sse.split("\n\n").filter(Boolean).map((f) => ({ event: /^event: (.*)$/m.exec(f)![1], data: JSON.parse(/^data: (.*)$/m.exec(f)![1]) }));
}

describe("Responses request → chat request", () => {
  it("maps instructions, items (function calls joined into one assistant turn), images, text.format and limits", () => {
    const chat = toChatRequest({
      model: "m", instructions: "be brief", max_output_tokens: 50, parallel_tool_calls: false,
      text: { format: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true } },
      tools: [{ type: "function", name: "f", parameters: { type: "object" }, strict: true }], tool_choice: { type: "function", name: "f" },
      input: [
        { role: "user", content: [{ type: "input_text", text: "see" }, { type: "input_image", image_url: "https://x/y.png" }] },
        { type: "function_call", call_id: "c1", name: "f", arguments: "{}" },
        { type: "function_call", call_id: "c2", name: "f", arguments: '{"b":2}' },
        { type: "function_call_output", call_id: "c1", output: "one" },
        { type: "function_call_output", call_id: "c2", output: [{ type: "input_text", text: "two" }] },
      ],
    });
    expect(chat.messages).toEqual([
      { role: "system", content: "be brief" },
      { role: "user", content: [{ type: "text", text: "see" }, { type: "image_url", image_url: { url: "https://x/y.png" } }] },
      { role: "assistant", content: null, tool_calls: [
        { id: "c1", type: "function", function: { name: "f", arguments: "{}" } },
        { id: "c2", type: "function", function: { name: "f", arguments: '{"b":2}' } },
      ] },
      { role: "tool", tool_call_id: "c1", content: "one" },
      { role: "tool", tool_call_id: "c2", content: "two" },
    ]);
    expect(chat).toMatchObject({
      max_tokens: 50, parallel_tool_calls: false, tool_choice: { type: "function", function: { name: "f" } },
      response_format: { type: "json_schema", json_schema: { name: "out", schema: { type: "object" }, strict: true } },
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" }, strict: true } }],
    });
  });

  it("refuses stored-response features with a message that says why, and non-function tools", () => {
    const stored = ResponsesChatRequest.safeParse({ model: "m", input: "x", store: true });
    expect(stored.error?.issues[0]).toMatchObject({ path: ["store"] });
    expect(stored.error?.issues[0].message).toContain("stateless");
    expect(ResponsesChatRequest.safeParse({ model: "m", input: "x", previous_response_id: "resp_1" }).error?.issues[0].path).toEqual(["previous_response_id"]);
    expect(ResponsesChatRequest.safeParse({ model: "m", input: "x", store: false }).success).toBe(true);
    expect(ResponsesChatRequest.safeParse({ model: "m", input: "x", tools: [{ type: "web_search" }] }).success).toBe(false);
  });
});

describe("chat answers → Responses", () => {
  it("a completion cut by max tokens is an incomplete response with usage", () => {
    const res = toResponse({
      id: "chatcmpl-xyz", object: "chat.completion", created: 5, model: "up",
      choices: [{ index: 0, finish_reason: "length", message: { role: "assistant", content: "abc" } }],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    }, { model: "cat", messages: [], max_tokens: 4 });
    expect(res).toMatchObject({
      id: "resp_xyz", object: "response", status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, model: "cat",
      output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: "abc" }] }],
      usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7 }, max_output_tokens: 4,
    });
  });

  it("streams numbered events: created, text item, function call item, completed with the full output", () => {
    const enc = responsesStreamEncoder({ model: "cat", messages: [] });
    let sse = enc.chunk(chunk({ role: "assistant", content: "" })) + enc.chunk(chunk({ content: "Hi" }));
    sse += enc.chunk(chunk({ tool_calls: [{ index: 0, id: "c1", type: "function", function: { name: "f", arguments: "{" } }] }));
    sse += enc.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: "}" } }] })) + enc.chunk(chunk({}, "tool_calls"));
    sse += enc.chunk({ ...chunk({}), choices: [], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } }) + enc.end();
    const events = parse(sse);
    expect(events.map((e) => e.event)).toEqual([
      "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
      "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done",
      "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
      "response.function_call_arguments.done", "response.output_item.done", "response.completed",
    ]);
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.every((e) => e.data.type === e.event)).toBe(true);
    expect(events[8].data.item).toMatchObject({ type: "function_call", call_id: "c1", name: "f", arguments: "", status: "in_progress" });
    const done = events.at(-1)!.data.response as { status: string; output: unknown[]; usage: { total_tokens: number } };
    expect(done.status).toBe("completed");
    expect(done.output).toMatchObject([
      { type: "message", status: "completed", content: [{ type: "output_text", text: "Hi" }] },
      { type: "function_call", call_id: "c1", arguments: "{}", status: "completed" },
    ]);
    expect(done.usage.total_tokens).toBe(5);
  });

  it("an error mid-stream becomes error + response.failed, and nothing after", () => {
    const enc = responsesStreamEncoder({ model: "cat", messages: [] });
    const sse = enc.chunk(chunk({ content: "x" })) + enc.error({ message: "cut", type: "upstream_error", code: "stream_truncated", param: null }) + enc.end();
    const names = parse(sse).map((e) => e.event);
    expect(names.slice(-2)).toEqual(["error", "response.failed"]);
  });
});
