/**
 * @module
 * Anthropic answers → OpenAI shapes: the Messages response, the streamed events
 * (message_start, content_block_start/delta/stop, message_delta, message_stop, ping, error),
 * and error bodies `{"type":"error","error":{"type","message"}}`.
 */
import type { ChatCompletion, Usage } from "../../gateway/schemas";
import { ChunkWriter, nowSeconds, parseEventJson } from "../chunks";
import type { ChatCall, StreamTransformer, UpstreamError } from "../types";
import type { AnthropicErrorBody, AnthropicResponse, AnthropicUsage, ToolUseBlock } from "./wire";

/** Anthropic stop_reason → OpenAI finish_reason. */
export const FINISH_REASONS: Readonly<Record<string, string>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

export function finishReason(stop: string | null | undefined): string | null {
  if (!stop) return null;
  return FINISH_REASONS[stop] ?? "stop";
}

/**
 * OpenAI's prompt_tokens counts every input token; Anthropic splits cached reads and cache
 * writes out of `input_tokens`, so they are added back for billing to see the whole prompt.
 */
export function toUsage(u: AnthropicUsage): Usage {
  const prompt = (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
  const completion = u.output_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export function anthropicChatResponse(body: unknown, call: ChatCall): ChatCompletion {
  const r = body as AnthropicResponse;
  if (!r || typeof r !== "object" || !Array.isArray(r.content)) throw new Error("upstream answered a malformed message");
  let text = "";
  const toolCalls: NonNullable<ChatCompletion["choices"][number]["message"]["tool_calls"]> = [];
  for (const block of r.content) {
    if (block.type === "text") text += (block as { text: string }).text;
    else if (block.type === "tool_use") {
      const t = block as ToolUseBlock;
      toolCalls.push({ id: t.id, type: "function", function: { name: t.name, arguments: JSON.stringify(t.input ?? {}) } });
    }
  }
  return {
    id: r.id,
    object: "chat.completion",
    created: nowSeconds(),
    model: r.model ?? call.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: text === "" && toolCalls.length > 0 ? null : text, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        finish_reason: finishReason(r.stop_reason),
        logprobs: null,
      },
    ],
    usage: toUsage(r.usage ?? {}),
  };
}

/** Maps an Anthropic error body; keeps Anthropic's error type, which mirrors OpenAI's names. */
export function anthropicError(status: number, body: string): UpstreamError {
  try {
    const parsed = JSON.parse(body) as Partial<AnthropicErrorBody>;
    if (parsed.error && typeof parsed.error.message === "string") {
      const type = typeof parsed.error.type === "string" ? parsed.error.type : "upstream_error";
      return { message: parsed.error.message, type, code: type };
    }
  } catch {
    // not JSON
  }
  return { message: `upstream answered ${status}`, type: "upstream_error", code: null };
}

/**
 * Stateful mapper for one Anthropic stream. Content blocks are numbered across text and tool
 * use; OpenAI numbers tool calls on their own, so tool_use block indexes are remapped.
 */
export function anthropicStreamTransformer(call: ChatCall): StreamTransformer {
  const out = new ChunkWriter(call);
  const toolIndex = new Map<number, number>();
  let usage: AnthropicUsage = {};
  let stopped = false;

  const onEvent = (data: Record<string, unknown>) => {
    switch (data.type) {
      case "message_start": {
        const message = (data.message ?? {}) as Partial<AnthropicResponse>;
        if (message.id) out.id = message.id;
        if (message.model) out.model = message.model;
        usage = { ...message.usage };
        out.setUsage(toUsage(usage));
        out.begin();
        break;
      }
      case "content_block_start": {
        const block = (data.content_block ?? {}) as { type?: string; text?: string; id?: string; name?: string };
        if (block.type === "text" && block.text) out.content(block.text);
        if (block.type === "tool_use") {
          const index = toolIndex.size;
          toolIndex.set(Number(data.index), index);
          out.toolCall(index, { id: block.id ?? "", name: block.name ?? "", arguments: "" });
        }
        break;
      }
      case "content_block_delta": {
        const delta = (data.delta ?? {}) as { type?: string; text?: string; partial_json?: string };
        if (delta.type === "text_delta" && delta.text) out.content(delta.text);
        if (delta.type === "input_json_delta" && delta.partial_json) {
          const index = toolIndex.get(Number(data.index));
          if (index !== undefined) out.toolCall(index, { arguments: delta.partial_json });
        }
        // thinking_delta / signature_delta / citations_delta have no chat.completion equivalent.
        break;
      }
      case "message_delta": {
        // message_delta usage is cumulative; newer API versions repeat input counts here too.
        usage = { ...usage, ...(data.usage as AnthropicUsage | undefined) };
        out.setUsage(toUsage(usage));
        const reason = finishReason((data.delta as { stop_reason?: string } | undefined)?.stop_reason);
        if (reason) out.finish(reason);
        break;
      }
      case "message_stop":
        stopped = true;
        out.close(true);
        break;
      case "error": {
        const e = (data.error ?? {}) as { type?: string; message?: string };
        const type = e.type ?? "api_error";
        out.fail({ message: e.message ?? "upstream reported an error", type, code: type });
        break;
      }
      default:
        // ping, content_block_stop and event types added later carry nothing to forward.
        break;
    }
  };

  return out.transformer(
    (event) => {
      const data = parseEventJson(event);
      if (data) onEvent(data);
    },
    () => out.close(stopped),
  );
}
