/**
 * @module
 * Deterministic stand-ins for a model: the same prompt always gives the same reply, token counts
 * and embedding, so tests and demos can assert on them and caches behave as with a real model.
 */

const WORDS = (
  "the gateway routes each call to a provider that may see the data while budgets limits and " +
  "policies hold steady under load so teams ship faster with fewer surprises and clearer costs " +
  "every answer here is simulated yet shaped like a real model would reply to your prompt"
).split(" ");

/** FNV-1a 32-bit: small, fast and stable across runtimes. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Rough prompt token count used by the simulated provider (about four characters a token). */
export function simulatedTokenCount(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/**
 * The reply to a prompt: `words` words drawn deterministically from the prompt's hash.
 * @example simulatedReply("hello", 4) // always the same four words
 */
export function simulatedReply(prompt: string, words: number): string[] {
  const out: string[] = [];
  let h = fnv1a(prompt);
  for (let i = 0; i < words; i++) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    out.push(WORDS[h % WORDS.length]);
  }
  return out;
}

/**
 * A feature-hashed bag of words and character trigrams, L2-normalised: similar texts get a high
 * cosine similarity, which is what a semantic cache needs from an embedding.
 */
export function simulatedEmbedding(text: string, dimensions = 64): number[] {
  const v = new Array<number>(dimensions).fill(0);
  const lower = text.toLowerCase();
  const tokens = lower.split(/[^a-z0-9]+/).filter(Boolean);
  for (const t of tokens) v[fnv1a(t) % dimensions] += 2;
  for (let i = 0; i + 3 <= lower.length; i++) v[fnv1a(lower.slice(i, i + 3), 7) % dimensions] += 1;
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}
