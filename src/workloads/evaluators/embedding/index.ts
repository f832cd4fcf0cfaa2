/**
 * @module
 * `embedding`: cosine similarity between the answer and the expected text, both embedded
 * through the gateway's own embeddings path (so the embedding call is routed, budgeted and
 * logged like any other), at or above a threshold.
 */
import { z } from "zod";
import { target, type Evaluator } from "../types";

export const EmbeddingCheck = z
  .object({
    type: z.literal("embedding"),
    /** A catalog embeddings model the evaluated workload may use. */
    model: z.string().min(1).max(128),
    value: z.string().min(1).max(20_000).optional(),
    threshold: z.number().min(-1).max(1).default(0.8),
  })
  .strict();
export type EmbeddingCheck = z.infer<typeof EmbeddingCheck>;

/** Cosine similarity of two vectors (0 when either is all zeros). */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** @example await embedding.evaluate(subject, { type: "embedding", model: "embed-sim", threshold: 0.8 }, deps) */
export const embedding: Evaluator<EmbeddingCheck> = {
  type: "embedding",
  config: EmbeddingCheck,
  async evaluate(subject, check, deps) {
    const want = target(check.value, subject);
    if (typeof want !== "string") return { pass: false, score: 0, reason: "no expected text to compare with" };
    const [a, b] = await deps.embed(check.model, [subject.output, want]);
    const similarity = cosine(a, b);
    const score = Math.max(0, similarity);
    return { pass: similarity >= check.threshold, score, reason: `similarity ${similarity.toFixed(3)} (threshold ${check.threshold})`, detail: { similarity } };
  },
};
