import { describe, expect, it } from "vitest";
import { fakeDeps, subject } from "../testing";
import { exact } from ".";

describe("exact evaluator", () => {
  it("compares trimmed text, case-sensitively by default", async () => {
    expect((await exact.evaluate(subject(" Paris "), { type: "exact", value: "Paris" }, fakeDeps())).pass).toBe(true);
    expect((await exact.evaluate(subject("paris"), { type: "exact", value: "Paris" }, fakeDeps())).pass).toBe(false);
    expect((await exact.evaluate(subject("paris"), { type: "exact", value: "Paris", case_insensitive: true }, fakeDeps())).pass).toBe(true);
  });
  it("falls back to the example's expected value and fails without one", async () => {
    expect((await exact.evaluate(subject("42", "42"), { type: "exact" }, fakeDeps())).score).toBe(1);
    expect((await exact.evaluate(subject("42"), { type: "exact" }, fakeDeps())).pass).toBe(false);
  });
});
