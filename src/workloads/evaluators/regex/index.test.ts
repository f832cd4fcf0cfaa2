import { describe, expect, it } from "vitest";
import { fakeDeps, subject } from "../testing";
import { regex, RegexCheck } from ".";

describe("regex evaluator", () => {
  const d = fakeDeps();
  it("matches anywhere in the answer; `not` inverts", async () => {
    expect((await regex.evaluate(subject("order #4521 shipped"), { type: "regex", pattern: "#\\d{4}" }, d)).pass).toBe(true);
    expect((await regex.evaluate(subject("order shipped"), { type: "regex", pattern: "#\\d{4}" }, d)).pass).toBe(false);
    expect((await regex.evaluate(subject("order shipped"), { type: "regex", pattern: "#\\d{4}", not: true }, d)).pass).toBe(true);
  });
  it("runs a catastrophic-backtracking pattern in linear time (RE2) and gives the right answer", async () => {
    const long = "a".repeat(50_000) + "!";
    expect((await regex.evaluate(subject(long), { type: "regex", pattern: "^(a+)+$" }, d)).pass).toBe(false);
  });
  it("refuses patterns RE2 cannot compile (backreferences) when the check is parsed", () => {
    expect(RegexCheck.safeParse({ type: "regex", pattern: "(a)\\1" }).success).toBe(false);
    expect(RegexCheck.safeParse({ type: "regex", pattern: "[a-z]+" }).success).toBe(true);
  });
});
