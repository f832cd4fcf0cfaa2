/**
 * @module
 * Tests of the US_SSN recognizer: SSA rules and context words.
 */
import { describe, expect, it } from "vitest";
import { isValidSsn, usSsnRecognizer } from ".";

const spans = (text: string) =>
  usSsnRecognizer
    .find(text)
    .filter((f) => f.score >= 0.5)
    .map((f) => text.slice(f.start, f.end));

describe("SSN rules", () => {
  it("rejects area 000, 666 and 900-999, group 00, serial 0000 and published numbers", () => {
    expect(isValidSsn("536", "90", "4399")).toBe(true);
    expect(isValidSsn("000", "12", "3456")).toBe(false);
    expect(isValidSsn("666", "12", "3456")).toBe(false);
    expect(isValidSsn("912", "34", "5678")).toBe(false);
    expect(isValidSsn("536", "00", "4399")).toBe(false);
    expect(isValidSsn("536", "90", "0000")).toBe(false);
    expect(isValidSsn("078", "05", "1120")).toBe(false); // the Woolworth wallet card
    expect(isValidSsn("123", "45", "6789")).toBe(false);
    expect(isValidSsn("111", "11", "1111")).toBe(false);
  });
});

describe("SSN recognizer", () => {
  it("finds dashed SSNs without context, and spaced or bare ones with it", () => {
    expect(spans("applicant 601-42-8873 approved")).toEqual(["601-42-8873"]);
    expect(spans("social security number 536 90 4399")).toEqual(["536 90 4399"]);
    expect(spans("Employee SSN 432123456 needs correction")).toEqual(["432123456"]);
    expect(spans("ref 432123456")).toEqual([]);
  });

  it("context words raise the score", () => {
    const [plain] = usSsnRecognizer.find("applicant 601-42-8873");
    const [ctx] = usSsnRecognizer.find("SSN: 601-42-8873");
    expect(ctx.score).toBeGreaterThan(plain.score);
  });

  it("rejects mixed separators, other digit groupings and negative contexts", () => {
    expect(spans("601-42 8873, 12-31-1999, 123-456-789, 94103-1234")).toEqual([]);
    expect(spans("order 601-42-8873")).toEqual([]);
  });
});
