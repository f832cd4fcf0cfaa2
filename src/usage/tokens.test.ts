import { describe, expect, it } from "vitest";
import { estimateEmbeddingTokens, estimateTokens } from "./tokens";

describe("estimateTokens", () => {
  it("counts with a real BPE tokenizer (cl100k_base)", { timeout: 30_000 }, async () => {
    expect(await estimateTokens("")).toBe(0);
    expect(await estimateTokens("hello world")).toBe(2);
    expect(await estimateTokens("Switchyard routes every call.")).toBeGreaterThan(4);
  });
});

describe("estimateEmbeddingTokens", () => {
  it("estimates text and counts token ids as given", { timeout: 30_000 }, async () => {
    expect(await estimateEmbeddingTokens("hello world")).toBe(2);
    expect(await estimateEmbeddingTokens(["hello world", "hello world"])).toBe(4);
    expect(await estimateEmbeddingTokens([1, 2, 3])).toBe(3);
    expect(await estimateEmbeddingTokens([[1, 2], [3, 4, 5]])).toBe(5);
  });
});
