/**
 * @module
 * Tests of scan: ordering, overlap resolution, filters, adversarial input.
 */
import { describe, expect, it } from "vitest";
import { scan, type Recognizer } from ".";

const fixed = (type: string, start: number, end: number, score: number): Recognizer => ({
  type,
  find: () => [{ type, start, end, score }],
});

describe("scan", () => {
  it("returns sorted findings from all built-in recognizers", () => {
    const text = "card 4111 1111 1111 1111, mail jane@acme.io, IBAN DE89370400440532013000";
    const findings = scan(text);
    expect(findings.map((f) => f.type)).toEqual(["CREDIT_CARD", "EMAIL_ADDRESS", "IBAN_CODE"]);
    expect(findings.map((f) => f.start)).toEqual([...findings.map((f) => f.start)].sort((a, b) => a - b));
  });

  it("resolves overlaps by score, then length, then recognizer order", () => {
    const text = "x".repeat(40);
    expect(scan(text, { recognizers: [fixed("A", 0, 10, 0.6), fixed("B", 5, 12, 0.9)] })).toEqual([
      { type: "B", start: 5, end: 12, score: 0.9 },
    ]);
    expect(scan(text, { recognizers: [fixed("A", 0, 10, 0.8), fixed("B", 2, 20, 0.8)] })).toEqual([
      { type: "B", start: 2, end: 20, score: 0.8 },
    ]);
    expect(scan(text, { recognizers: [fixed("A", 0, 10, 0.8), fixed("B", 0, 10, 0.8)] })).toEqual([
      { type: "A", start: 0, end: 10, score: 0.8 },
    ]);
    // Disjoint spans both survive, adjacent ones too.
    expect(scan(text, { recognizers: [fixed("A", 0, 10, 0.8), fixed("B", 10, 20, 0.7)] })).toHaveLength(2);
  });

  it("prefers a credential over an email inside it", () => {
    const text = "postgres://app:p4ss@db.acme.io/app";
    expect(scan(text).map((f) => [f.type, text.slice(f.start, f.end)])).toEqual([["SECRET", "p4ss"]]);
  });

  it("filters by type and by minimum score", () => {
    const text = "mail jane@acme.io, SSN 536-90-4399";
    expect(scan(text, { types: ["US_SSN"] }).map((f) => f.type)).toEqual(["US_SSN"]);
    expect(scan("applicant 601-42-8873", { minScore: 0.9 })).toEqual([]);
    expect(scan("")).toEqual([]);
  });

  it("stays linear on adversarial input (a catastrophic regex would hang this test)", () => {
    const inputs = [
      "1".repeat(20000), "0 ".repeat(10000), "12-".repeat(7000), "1.".repeat(10000), "a:".repeat(10000),
      "ab::".repeat(5000), "a@".repeat(10000), "a@b.".repeat(5000), "AB12".repeat(5000), "key=".repeat(5000),
      "token ".repeat(4000), "+1 ".repeat(7000), "(0".repeat(10000), "eyJ".repeat(7000), "a://b:".repeat(4000),
      "-----BEGIN PRIVATE KEY-----".repeat(800), "password is ".repeat(2000),
    ];
    for (const text of inputs) expect(Array.isArray(scan(text))).toBe(true);
  });
});
