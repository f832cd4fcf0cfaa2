/**
 * @module
 * OpenAI chunks → Anthropic's SSE event sequence: `message_start`, `ping`, then per content
 * block `content_block_start` / `content_block_delta` (`text_delta`, or `input_json_delta` for
 * a tool call's arguments) / `content_block_stop`, and finally `message_delta` (stop reason and
 * usage) and `message_stop`. An error mid-stream becomes Anthropic's `error` event.
 */
import type { ChatCompletionChunk, ChatCompletionRequest, Usage } from "../../gateway/schemas";
import type { StreamErrorPayload } from "../../providers/types";
import { sseEvent, type WireStreamEncoder } from "../types";
import { anthropicErrorBody, anthropicUsage, messageId, reasoningOf, stopReason } from "./response";

type ToolDelta = NonNullable<ChatCompletionChunk["choices"][number]["delta"]["tool_calls"]>[number];

/**
 * @example const enc = anthropicStreamEncoder(chatRequest); enc.chunk(chunk) + enc.end()
 */
export function anthropicStreamEncoder(request: ChatCompletionRequest): WireStreamEncoder {
  let started = false;
  let index = -1;
  /** The open block: thinking, text, or the tool call (by its OpenAI index) whose arguments are streaming. */
  let open: { kind: "text" } | { kind: "thinking" } | { kind: "tool"; tool: number } | undefined;
  let finish: string | null = null;
  let usage: Usage | undefined;
  let failed = false;

  const start = (chunk: ChatCompletionChunk): string => {
    if (started) return "";
    started = true;
    const message = {
      id: messageId(chunk.id), type: "message", role: "assistant", model: request.model, content: [],
      stop_reason: null, stop_sequence: null, usage: anthropicUsage(undefined),
    };
    return sseEvent("message_start", { type: "message_start", message }) + sseEvent("ping", { type: "ping" });
  };
  const close = (): string => {
    if (!open) return "";
    open = undefined;
    return sseEvent("content_block_stop", { type: "content_block_stop", index });
  };
  const text = (t: string, kind: "text" | "thinking" = "text"): string => {
    let out = "";
    if (open?.kind !== kind) {
      out += close();
      open = { kind };
      index++;
      const block = kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "", signature: "" };
      out += sseEvent("content_block_start", { type: "content_block_start", index, content_block: block });
    }
    const delta = kind === "text" ? { type: "text_delta", text: t } : { type: "thinking_delta", thinking: t };
    return out + sseEvent("content_block_delta", { type: "content_block_delta", index, delta });
  };
  const tool = (call: ToolDelta): string => {
    let out = "";
    if (call.id !== undefined || open?.kind !== "tool" || open.tool !== call.index) {
      out += close();
      open = { kind: "tool", tool: call.index };
      index++;
      const block = { type: "tool_use", id: call.id ?? `toolu_${index}`, name: call.function?.name ?? "", input: {} };
      out += sseEvent("content_block_start", { type: "content_block_start", index, content_block: block });
    }
    const args = call.function?.arguments;
    if (!args) return out;
    const delta = { type: "input_json_delta", partial_json: args };
    return out + sseEvent("content_block_delta", { type: "content_block_delta", index, delta });
  };

  return {
    chunk(chunk) {
      let out = start(chunk);
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) return out;
      // Reasoning text some upstreams stream (`reasoning_content`, `reasoning`) becomes a thinking block.
      const reasoning = reasoningOf(choice.delta);
      if (reasoning) out += text(reasoning, "thinking");
      if (choice.delta.content) out += text(choice.delta.content);
      for (const call of choice.delta.tool_calls ?? []) out += tool(call);
      if (choice.finish_reason) finish = choice.finish_reason;
      return out;
    },
    error(error: StreamErrorPayload["error"]) {
      failed = true;
      // Anthropic's in-stream error: an `error` event, after which the stream simply ends.
      const status = error.type === "timeout_error" ? 504 : 500;
      return close() + sseEvent("error", anthropicErrorBody(status, error.message));
    },
    end() {
      if (failed) return "";
      let out = started ? "" : start({ id: `chatcmpl-${crypto.randomUUID()}` } as ChatCompletionChunk);
      out += close();
      const u = anthropicUsage(usage);
      out += sseEvent("message_delta", {
        type: "message_delta",
        delta: { stop_reason: stopReason(finish), stop_sequence: null },
        usage: { input_tokens: u.input_tokens, output_tokens: u.output_tokens },
      });
      return out + sseEvent("message_stop", { type: "message_stop" });
    },
  };
}
