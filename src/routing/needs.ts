/**
 * @module
 * What a request needs from a target (context, tools, vision, JSON mode, streaming), estimated
 * from the parsed body in one pass without the tokenizer: routing must stay in microseconds, and
 * the context-window check only needs an upper-bound estimate (~4 characters per token).
 */
import type { ChatCompletionRequest, EmbeddingsRequest } from "../gateway/schemas";
import type { RequestNeeds } from "./score";

const CHARS_PER_TOKEN = 4;

/**
 * @example chatNeeds({ model: "m", messages: [{ role: "user", content: "hi" }] }).promptTokens === 1
 */
export function chatNeeds(body: ChatCompletionRequest): RequestNeeds {
  let chars = 0;
  let vision = false;
  for (const m of body.messages) {
    if (typeof m.content === "string") chars += m.content.length;
    else if (Array.isArray(m.content)) {
      for (const part of m.content) {
        if (part.type === "image_url" || part.type === "input_image") vision = true;
        const text = (part as { text?: unknown }).text;
        if (typeof text === "string") chars += text.length;
      }
    }
  }
  const fmt = body.response_format?.type;
  return {
    promptTokens: Math.ceil(chars / CHARS_PER_TOKEN),
    maxOutputTokens: body.max_completion_tokens ?? body.max_tokens ?? 0,
    tools: Array.isArray(body.tools) && body.tools.length > 0,
    vision,
    jsonMode: fmt === "json_object" || fmt === "json_schema",
    stream: body.stream === true,
  };
}

/** @example embeddingsNeeds({ model: "e", input: "abcd" }).promptTokens === 1 */
export function embeddingsNeeds(body: EmbeddingsRequest): RequestNeeds {
  const input = body.input;
  let tokens = 0;
  if (typeof input === "string") tokens = Math.ceil(input.length / CHARS_PER_TOKEN);
  else for (const x of input as unknown[]) tokens += typeof x === "string" ? Math.ceil(x.length / CHARS_PER_TOKEN) : Array.isArray(x) ? x.length : 1;
  return { promptTokens: tokens, maxOutputTokens: 0, tools: false, vision: false, jsonMode: false, stream: false };
}
