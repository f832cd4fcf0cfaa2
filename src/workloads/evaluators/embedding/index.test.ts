import { describe, expect, it } from "vitest";
import { fakeDeps, subject } from "../testing";
import { cosine, embedding, EmbeddingCheck } from ".";

describe("embedding evaluator", () => {
  it("cosine similarity", () => {
    expect(cosine([1, 0], [1, 0])).toBe(1);
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([0, 0], [1, 0])).toBe(0);
  });
  it("passes near-paraphrases and fails unrelated text", async () => {
    const check = EmbeddingCheck.parse({ type: "embedding", model: "embed-sim", threshold: 0.7 });
    const close = await embedding.evaluate(subject("Your refund was issued today.", "Your refund was issued today"), check, fakeDeps());
    const far = await embedding.evaluate(subject("Quarterly revenue grew 4%", "Your refund was issued today"), check, fakeDeps());
    expect(close.pass).toBe(true);
    expect(far.pass).toBe(false);
    expect(close.score).toBeGreaterThan(far.score);
  });
});
