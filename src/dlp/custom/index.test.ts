/**
 * @module
 * Tests of custom recognizers: the unsafe-pattern guard, context scoring, match cap.
 */
import { describe, expect, it } from "vitest";
import { compileCustomRecognizer, MAX_MATCHES_PER_SCAN, unsafePatternReason } from ".";

describe("custom pattern guard", () => {
  it("accepts ordinary patterns", () => {
    expect(unsafePatternReason("EMP-\\d{6}")).toBeNull();
    expect(unsafePatternReason("\\bPRJ-[A-Z]{3}-\\d{4}\\b")).toBeNull();
  });

  it("refuses patterns that can backtrack catastrophically, are too long, invalid or match empty", () => {
    expect(unsafePatternReason("(a+)+$")).toBe("nested quantifier");
    expect(unsafePatternReason("(\\w*)*x")).toBe("nested quantifier");
    expect(unsafePatternReason("(x|y+){2,}")).toBe("nested quantifier");
    expect(unsafePatternReason("(a)\\1")).toBe("backreference");
    expect(unsafePatternReason(".*.*=")).toBe("adjacent unbounded quantifiers");
    expect(unsafePatternReason("a".repeat(300))).toMatch(/longer than/);
    expect(unsafePatternReason("([a-z")).toMatch(/invalid regex/);
    expect(unsafePatternReason("x*")).toBe("matches the empty string");
    expect(unsafePatternReason("")).toBe("empty pattern");
  });

  it("throws when compiling a refused pattern", () => {
    expect(() => compileCustomRecognizer({ type: "BAD", pattern: "(a+)+" })).toThrow(/refused: nested quantifier/);
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
