import { describe, expect, it } from "vitest";
import { byteStream, readText } from "./testing";

describe("test helpers", () => {
  it("byteStream cuts inside multi-byte characters and still round-trips", async () => {
    const text = "a👋b—c";
    expect(await readText(byteStream(text, [2, 3, 7]))).toBe(text);
    expect(await readText(byteStream(text, { every: 1 }))).toBe(text);
  });
});
