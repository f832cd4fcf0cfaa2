/**
 * @module
 * Cache keys. The exact key hashes the namespace (./policy.ts), the catalog model and every request field that can
 * change the answer, in canonical (key-sorted) JSON; fields that only change the delivery
 * (`stream`, `stream_options`, `user`) are left out, so a streamed request hits an entry a JSON
 * request stored and the other way round. The semantic partition is the same minus the messages, plus the embeddings model.
 */
import { sha256Hex } from "../config/secrets";
import type { ChatCompletionRequest } from "../gateway/schemas";

const DELIVERY_ONLY = new Set(["stream", "stream_options", "user"]);

/** JSON with object keys sorted at every level. @example canonicalJson({ b: 1, a: [ { d: 1, c: 2 } ] }) === '{"a":[{"c":2,"d":1}],"b":1}' */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function answerFields(body: ChatCompletionRequest, withMessages: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!DELIVERY_ONLY.has(k) && (withMessages || k !== "messages")) out[k] = v;
  return out;
}

/** @example await exactCacheKey(namespace, "gpt-4o", body) // 64 hex chars */
export function exactCacheKey(namespace: string, modelId: string, body: ChatCompletionRequest): Promise<string> {
  return sha256Hex(`v2\n${namespace}\n${modelId}\n${canonicalJson(answerFields(body, true))}`);
}

/**
 * Entries that may be compared semantically: same namespace (workload or team, and policy), same
 * model, every non-message field equal (temperature, top_p, max_tokens, response_format, tools,
 * tool_choice...), and vectors from the same embeddings model (others are not comparable).
 */
export function semanticPartition(namespace: string, modelId: string, embeddingModel: string, body: ChatCompletionRequest): Promise<string> {
  return sha256Hex(`v2-sem\n${namespace}\n${modelId}\n${embeddingModel}\n${canonicalJson(answerFields(body, false))}`);
}

/** The text a semantic cache embeds: the conversation, role-tagged. */
export function semanticText(body: ChatCompletionRequest): string {
  return body.messages.map((m) => `${m.role}: ${typeof m.content === "string" ? m.content : m.content ? canonicalJson(m.content) : ""}`).join("\n");
}
