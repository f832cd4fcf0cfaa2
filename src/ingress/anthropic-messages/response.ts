/**
 * @module
 * The pipeline's answers in Anthropic's wire format: a `message` object for a JSON answer and
 * Anthropic's error shape (`{"type":"error","error":{"type","message"}}`) with its status codes.
 */
import type { GatewayError } from "../../errors/openai";
import type { ChatCompletion, Usage } from "../../gateway/schemas";
import { parseArguments } from "../../providers/chunks";

export type AnthropicContentBlock =
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface AnthropicMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

/** Reasoning text of a delta or message, when the upstream sends one (OpenAI-compatible reasoning models). */
export function reasoningOf(part: object): string | undefined {
  const r = (part as { reasoning_content?: unknown; reasoning?: unknown });
  const text = r.reasoning_content ?? r.reasoning;
  return typeof text === "string" && text !== "" ? text : undefined;
}

/** OpenAI finish reason → Anthropic stop reason. */
export function stopReason(finish: string | null): string {
  if (finish === "length") return "max_tokens";
  if (finish === "tool_calls" || finish === "function_call") return "tool_use";
  if (finish === "content_filter") return "refusal";
  return "end_turn";
}

export function anthropicUsage(usage: Usage | undefined | null): AnthropicUsage {
  return {
    input_tokens: usage?.prompt_tokens ?? 0,
    output_tokens: usage?.completion_tokens ?? 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
}

/** A `msg_` id derived from the completion's, so the two name the same answer. */
export function messageId(completionId: string): string {
  return `msg_${completionId.replace(/^chatcmpl-/, "")}`;
}

/**
 * `model` is the catalog id the client asked for, as Anthropic echoes the requested model.
 * @example toAnthropicMessage(completion, "claude-sim")
 */
export function toAnthropicMessage(completion: ChatCompletion, model: string): AnthropicMessage {
  const choice = completion.choices[0];
  const content: AnthropicContentBlock[] = [];
  const reasoning = choice ? reasoningOf(choice.message) : undefined;
  // Reasoning an upstream returned (`reasoning_content`/`reasoning`) comes back as a thinking block.
  if (reasoning) content.push({ type: "thinking", thinking: reasoning, signature: "" });
  if (choice?.message.content) content.push({ type: "text", text: choice.message.content });
  for (const call of choice?.message.tool_calls ?? []) {
    content.push({ type: "tool_use", id: call.id, name: call.function.name, input: parseArguments(call.function.arguments) });
  }
  return {
    id: messageId(completion.id),
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: stopReason(choice?.finish_reason ?? null),
    stop_sequence: null,
    usage: anthropicUsage(completion.usage),
  };
}

/** Anthropic's error `type` for a status (their documented table); 5xx upstream failures are `api_error`. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 402: return "billing_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 503: case 529: return "overloaded_error";
    case 504: return "timeout_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

/** The error body; `request_id` names the gateway's id as Anthropic's does theirs. */
export function anthropicErrorBody(status: number, message: string, requestId?: string): Record<string, unknown> {
  return { type: "error", error: { type: anthropicErrorType(status), message }, ...(requestId ? { request_id: requestId } : {}) };
}

/** The gateway's error as Anthropic answers one; the status (and `retry-after`) stay the gateway's. */
export function anthropicErrorResponse(err: GatewayError, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(anthropicErrorBody(err.status, err.message, headers["x-request-id"])), {
    status: err.status,
    headers: { "content-type": "application/json", ...err.headers, ...headers },
  });
}
