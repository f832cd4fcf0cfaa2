/**
 * @module
 * Token estimation for answers that arrive without usage (some streams). Uses a real BPE
 * tokenizer (gpt-tokenizer, cl100k_base), loaded lazily so isolates that never need it never
 * pay for it; estimation runs after the response has gone (in waitUntil), never before.
 */

let counter: Promise<(text: string) => number> | undefined;

/**
 * @example await estimateTokens("hello world") // 2
 */
export async function estimateTokens(text: string): Promise<number> {
  if (text.length === 0) return 0;
  counter ??= import("gpt-tokenizer/encoding/cl100k_base").then((m) => (t: string) => m.countTokens(t));
  try {
    return (await counter)(text);
  } catch {
    // The tokenizer failed to load: bill the usual ~4 characters per token rather than nothing.
    counter = undefined;
    return Math.ceil(text.length / 4);
  }
}

/** An embeddings `input`: text, texts, token ids, or lists of token ids. */
export type EmbeddingsInput = string | readonly string[] | readonly number[] | ReadonlyArray<readonly number[]>;

/**
 * Input tokens of an embeddings request: token ids count as given, text is estimated.
 * @example await estimateEmbeddingTokens(["hello world", "hi"]) // 3; estimateEmbeddingTokens([[1, 2, 3]]) // 3
 */
export async function estimateEmbeddingTokens(input: EmbeddingsInput): Promise<number> {
  if (typeof input === "string") return estimateTokens(input);
  let total = 0;
  for (const item of input as ReadonlyArray<string | number | readonly number[]>) {
    if (typeof item === "number") total += 1;
    else if (typeof item === "string") total += await estimateTokens(item);
    else total += item.length;
  }
  return total;
}
