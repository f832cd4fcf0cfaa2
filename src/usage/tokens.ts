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
  return (await counter)(text);
}
