import { describe, expect, it } from "vitest";
import { fakeDeps, subject } from "../testing";
import { contains } from ".";

describe("contains evaluator", () => {
  const d = fakeDeps();
  it("any by default, all when asked", async () => {
    expect((await contains.evaluate(subject("a red car"), { type: "contains", value: ["blue", "red"] }, d)).pass).toBe(true);
    expect((await contains.evaluate(subject("a red car"), { type: "contains", value: ["blue", "red"], all: true }, d)).pass).toBe(false);
  });
  it("not: passes only when no forbidden value appears (a leaked secret fails)", async () => {
    expect((await contains.evaluate(subject("the key is AKIA123"), { type: "contains", value: "AKIA123", not: true }, d)).pass).toBe(false);
    expect((await contains.evaluate(subject("I cannot share that"), { type: "contains", value: "AKIA123", not: true }, d)).pass).toBe(true);
  });
  it("case-insensitive on request", async () => {
    expect((await contains.evaluate(subject("HELLO"), { type: "contains", value: "hello" }, d)).pass).toBe(false);
    expect((await contains.evaluate(subject("HELLO"), { type: "contains", value: "hello", case_insensitive: true }, d)).pass).toBe(true);
  });
});
