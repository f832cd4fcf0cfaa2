/**
 * @module
 * Converting between a stored chat completion and a stream: a cache hit for a streaming request
 * is replayed as OpenAI SSE (role chunk, content chunks, finish chunk, optional usage, [DONE]),
 * and a streamed miss is stored as the completion it amounts to.
 */
import type { ChatCompletion, ChatCompletionChunk, Usage } from "../gateway/schemas";

/** Splits text into word-sized pieces (spaces kept), as a model would stream it. */
function pieces(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
}

/**
 * @example completionToSse(completion, true).endsWith("data: [DONE]\n\n")
 */
export function completionToSse(c: ChatCompletion, includeUsage: boolean): string {
  const base = { id: c.id, object: "chat.completion.chunk" as const, created: c.created, model: c.model };
  const frame = (choices: ChatCompletionChunk["choices"], usage?: Usage) => `data: ${JSON.stringify({ ...base, choices, ...(usage ? { usage } : {}) })}\n\n`;
  let out = "";
  for (const ch of c.choices) {
    out += frame([{ index: ch.index, delta: { role: "assistant", content: "" }, finish_reason: null }]);
    if (ch.message.tool_calls?.length) {
      out += frame([{ index: ch.index, delta: { tool_calls: ch.message.tool_calls.map((t, i) => ({ index: i, ...t })) }, finish_reason: null }]);
    }
    for (const p of pieces(ch.message.content ?? "")) out += frame([{ index: ch.index, delta: { content: p }, finish_reason: null }]);
    out += frame([{ index: ch.index, delta: {}, finish_reason: ch.finish_reason }]);
  }
  if (includeUsage && c.usage) out += frame([], c.usage);
  return `${out}data: [DONE]\n\n`;
}

/** The completion a finished stream amounts to (choice 0; tool-call streams are not cached). */
export function streamedCompletion(model: string, text: string, finishReason: string | null, usage: Usage | undefined, now: number): ChatCompletion {
  return {
    id: `chatcmpl-${crypto.randomUUID().replace(/-/g, "").slice(0, 24)}`,
    object: "chat.completion",
    created: Math.floor(now / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: finishReason ?? "stop", logprobs: null }],
    ...(usage ? { usage } : {}),
  };
}
