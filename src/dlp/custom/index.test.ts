/**
 * @module
 * Tests of custom recognizers: the RE2 pattern guard, linear-time matching, context scoring, match cap.
 */
import { describe, expect, it } from "vitest";
import { compileCustomRecognizer, MAX_MATCHES_PER_SCAN, unsafePatternReason } from ".";

describe("custom pattern guard", () => {
  it("accepts ordinary patterns", () => {
    expect(unsafePatternReason("EMP-\\d{6}")).toBeNull();
    expect(unsafePatternReason("\\bPRJ-[A-Z]{3}-\\d{4}\\b")).toBeNull();
  });

  it("refuses patterns RE2 cannot compile (naming them), too long, or matching empty", () => {
    expect(unsafePatternReason("(a)\\1")).toMatch(/^"\(a\)\\\\1" is not a valid RE2 expression/);
    expect(unsafePatternReason("(?=secret)\\w+")).toMatch(/not a valid RE2 expression/);
    expect(unsafePatternReason("(?<=id:)\\d+")).toMatch(/not a valid RE2 expression/);
    expect(unsafePatternReason("(?!x)y")).toMatch(/not a valid RE2 expression/);
    expect(unsafePatternReason("a++")).toMatch(/not a valid RE2 expression/);
    expect(unsafePatternReason("a".repeat(300))).toMatch(/longer than/);
    expect(unsafePatternReason("([a-z")).toMatch(/not a valid RE2 expression/);
    expect(unsafePatternReason("x*")).toBe("matches the empty string");
    expect(unsafePatternReason("")).toBe("empty pattern");
  });

  it("throws when compiling a refused pattern", () => {
    expect(() => compileCustomRecognizer({ type: "BAD", pattern: "(a)\\1" })).toThrow(/refused: .*not a valid RE2/);
  });
});

describe("catastrophic patterns run in linear time", () => {
  it("accepts nested and overlapping quantifiers and answers them correctly on long hostile input", () => {
    const evil = "a".repeat(50_000) + "!";
    const nested = compileCustomRecognizer({ type: "NESTED", pattern: "(a+)+$" });
    expect(nested.find(evil)).toEqual([]);
    expect(nested.find("xx aaa")).toEqual([{ type: "NESTED", start: 3, end: 6, score: 0.85 }]);
    const alternation = compileCustomRecognizer({ type: "ALT", pattern: "^(a|aa)+$" });
    expect(alternation.find(evil)).toEqual([]);
    expect(alternation.find("a".repeat(40_000))).toEqual([{ type: "ALT", start: 0, end: 40_000, score: 0.85 }]);
    const overlapping = compileCustomRecognizer({ type: "OVER", pattern: "(\\w|\\d|[a-z0-9])+=" });
    expect(overlapping.find("ab1".repeat(20_000))).toEqual([]);
    const wildcards = compileCustomRecognizer({ type: "WILD", pattern: ".*.*=" });
    expect(wildcards.find("x".repeat(20_000))).toEqual([]);
  });

  it("reports offsets in JavaScript string units after astral characters", () => {
    const r = compileCustomRecognizer({ type: "EMPLOYEE_ID", pattern: "EMP-\\d{6}" });
    const text = "\u{1F600}é EMP-004211";
    const [m] = r.find(text);
    expect(text.slice(m.start, m.end)).toBe("EMP-004211");
  });
});

describe("custom recognizer", () => {
  it("finds matches with the configured type and score", () => {
    const r = compileCustomRecognizer({ type: "EMPLOYEE_ID", pattern: "EMP-\\d{6}", score: 0.9 });
    expect(r.find("badge EMP-004211 and EMP-123456")).toEqual([
      { type: "EMPLOYEE_ID", start: 6, end: 16, score: 0.9 },
      { type: "EMPLOYEE_ID", start: 21, end: 31, score: 0.9 },
    ]);
  });

  it("scores lower without its context words", () => {
    const r = compileCustomRecognizer({ type: "PROJECT", pattern: "PRJ-\\d{4}", context: ["project", "codename"] });
    expect(r.find("project PRJ-1234")[0].score).toBe(0.85);
    expect(r.find("see PRJ-1234")[0].score).toBe(0.5);
  });

  it("supports case-insensitive patterns", () => {
    const r = compileCustomRecognizer({ type: "TICKET", pattern: "sec-\\d{3}", ignore_case: true });
    expect(r.find("SEC-101 sec-102").length).toBe(2);
  });

  it("caps matches per scan", () => {
    const r = compileCustomRecognizer({ type: "DIGIT", pattern: "\\d" });
    expect(r.find("1".repeat(5000)).length).toBe(MAX_MATCHES_PER_SCAN);
  });
});
