/**
 * @module
 * Gemini answers → OpenAI shapes: generateContent responses, streamGenerateContent events (each
 * one a partial GenerateContentResponse), and error bodies `{"error":{"code","message","status"}}`.
 */
import type { ChatCompletion, Usage } from "../../gateway/schemas";
import { ChunkWriter, nowSeconds, parseEventJson } from "../chunks";
import type { ChatCall, StreamTransformer, UpstreamError } from "../types";
import type { Candidate, GeminiErrorBody, GenerateContentResponse, Part, UsageMetadata } from "./wire";

/** Gemini finishReason → OpenAI finish_reason (anything unlisted ends as "stop"). */
export const FINISH_REASONS: Readonly<Record<string, string>> = {
  STOP: "stop",
  MAX_TOKENS: "length",
  SAFETY: "content_filter",
  RECITATION: "content_filter",
  BLOCKLIST: "content_filter",
  PROHIBITED_CONTENT: "content_filter",
  SPII: "content_filter",
  IMAGE_SAFETY: "content_filter",
};

/** A finished turn that called functions is "tool_calls" to OpenAI clients, though Gemini says STOP. */
export function finishReason(reason: string, calledTools: boolean): string {
  const mapped = FINISH_REASONS[reason] ?? "stop";
  return mapped === "stop" && calledTools ? "tool_calls" : mapped;
}

/** Thinking tokens are billed as output but reported apart from candidatesTokenCount. */
export function toUsage(u: UsageMetadata): Usage {
  const prompt = (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0);
  const completion = (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Gemini rarely sends call ids; OpenAI clients need one to answer the call. */
function callId(part: Part, choice: number, n: number, responseId: string): string {
  return part.functionCall?.id ?? `call_${responseId.slice(-12)}_${choice}_${n}`;
}

/** Answer parts only: `thought` parts are reasoning summaries, not the reply. */
function answerParts(candidate: Candidate): Part[] {
  return (candidate.content?.parts ?? []).filter((p) => !p.thought);
}

export function geminiChatResponse(body: unknown, call: ChatCall): ChatCompletion {
  const r = body as GenerateContentResponse;
  if (!r || typeof r !== "object" || (!Array.isArray(r.candidates) && !r.promptFeedback)) {
    throw new Error("upstream answered a malformed generateContent response");
  }
  const id = r.responseId ?? crypto.randomUUID();
  const choices: ChatCompletion["choices"] = (r.candidates ?? []).map((c, i) => {
    const index = c.index ?? i;
    let text = "";
    const toolCalls: NonNullable<ChatCompletion["choices"][number]["message"]["tool_calls"]> = [];
    for (const part of answerParts(c)) {
      if (typeof part.text === "string") text += part.text;
      if (part.functionCall) {
        toolCalls.push({ id: callId(part, index, toolCalls.length, id), type: "function", function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) } });
      }
    }
    return {
      index,
      message: { role: "assistant", content: text === "" && toolCalls.length ? null : text, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
      finish_reason: c.finishReason ? finishReason(c.finishReason, toolCalls.length > 0) : null,
      logprobs: null,
    };
  });
  if (choices.length === 0) {
    // The prompt itself was blocked: no candidates, only promptFeedback.blockReason.
    choices.push({ index: 0, message: { role: "assistant", content: null }, finish_reason: "content_filter", logprobs: null });
  }
  return {
    id,
    object: "chat.completion",
    created: nowSeconds(),
    model: r.modelVersion ?? call.model,
    choices,
    ...(r.usageMetadata ? { usage: toUsage(r.usageMetadata) } : {}),
  };
}

/** Google RPC status → OpenAI error type. */
const ERROR_TYPES: Readonly<Record<string, string>> = {
  INVALID_ARGUMENT: "invalid_request_error",
  FAILED_PRECONDITION: "invalid_request_error",
  OUT_OF_RANGE: "invalid_request_error",
  UNAUTHENTICATED: "authentication_error",
  PERMISSION_DENIED: "permission_error",
  NOT_FOUND: "not_found_error",
  RESOURCE_EXHAUSTED: "rate_limit_error",
};

function mapError(e: GeminiErrorBody["error"]): UpstreamError {
  const status = e.status ?? "UNKNOWN";
  return { message: e.message ?? `upstream reported ${status}`, type: ERROR_TYPES[status] ?? "api_error", code: status.toLowerCase() };
}

/** Maps an error body; the JSON-array variant (`[{"error":…}]`) of streamed errors too. */
export function geminiError(status: number, body: string): UpstreamError {
  try {
    const parsed = JSON.parse(body) as GeminiErrorBody | GeminiErrorBody[];
    const e = Array.isArray(parsed) ? parsed[0]?.error : parsed.error;
    if (e && typeof e === "object") return mapError(e);
  } catch {
    // not JSON
  }
  return { message: `upstream answered ${status}`, type: "upstream_error", code: null };
}

/**
 * Stateful mapper for streamGenerateContent?alt=sse. Gemini sends function calls whole, so each
 * becomes one tool_calls delta with its full arguments. Usage metadata is cumulative: the last
 * one seen wins. The stream has no end marker; a finishReason is what says it completed.
 */
export function geminiStreamTransformer(call: ChatCall): StreamTransformer {
  const out = new ChunkWriter(call);
  const toolCounts = new Map<number, number>();
  let idSet = false;
  let finished = false;

  const onResponse = (r: GenerateContentResponse & Partial<GeminiErrorBody>) => {
    if (r.error) return out.fail(mapError(r.error));
    if (!idSet && r.responseId) {
      out.id = r.responseId;
      idSet = true;
    }
    if (r.modelVersion) out.model = r.modelVersion;
    if (r.usageMetadata) out.setUsage(toUsage(r.usageMetadata));
    (r.candidates ?? []).forEach((c, i) => {
      const index = c.index ?? i;
      out.begin(index);
      for (const part of answerParts(c)) {
        if (typeof part.text === "string") out.content(part.text, index);
        if (part.functionCall) {
          const n = toolCounts.get(index) ?? 0;
          toolCounts.set(index, n + 1);
          out.toolCall(n, { id: callId(part, index, n, out.id), name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) }, index);
        }
      }
      if (c.finishReason) {
        out.finish(finishReason(c.finishReason, (toolCounts.get(index) ?? 0) > 0), index);
        finished = true;
      }
    });
    if (!r.candidates?.length && r.promptFeedback?.blockReason) {
      out.finish("content_filter");
      finished = true;
    }
  };

  return out.transformer(
    (event) => {
      const data = parseEventJson(event);
      if (data) onResponse(data as GenerateContentResponse & Partial<GeminiErrorBody>);
    },
    () => out.close(finished),
  );
}
