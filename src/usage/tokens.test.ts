import { describe, expect, it } from "vitest";
import { estimateTokens } from "./tokens";

describe("estimateTokens", () => {
  it("counts with a real BPE tokenizer (cl100k_base)", { timeout: 30_000 }, async () => {
    expect(await estimateTokens("")).toBe(0);
    expect(await estimateTokens("hello world")).toBe(2);
    expect(await estimateTokens("Switchyard routes every call.")).toBeGreaterThan(4);
  });
});
