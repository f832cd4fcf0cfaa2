import { describe, expect, it } from "vitest";
import { fakeDeps, subject } from "../testing";
import { firstNumber, numeric, NumericCheck } from ".";

describe("numeric evaluator", () => {
  const d = fakeDeps();
  const check = (c: unknown) => NumericCheck.parse(c);
  it("reads the first number, thousands separators included", () => {
    expect(firstNumber("total: 1,234.5 USD")).toBe(1234.5);
    expect(firstNumber("-3e2 degrees")).toBe(-300);
    expect(firstNumber("none")).toBeUndefined();
  });
  it("absolute and relative tolerance", async () => {
    expect((await numeric.evaluate(subject("3.14"), check({ type: "numeric", value: 3.1416, tolerance: 0.01 }), d)).pass).toBe(true);
    expect((await numeric.evaluate(subject("3.2"), check({ type: "numeric", value: 3.1416, tolerance: 0.01 }), d)).pass).toBe(false);
    expect((await numeric.evaluate(subject("105"), check({ type: "numeric", value: 100, tolerance: 0.05, relative: true }), d)).pass).toBe(true);
    expect((await numeric.evaluate(subject("106"), check({ type: "numeric", value: 100, tolerance: 0.05, relative: true }), d)).pass).toBe(false);
  });
  it("uses the example's expected number", async () => {
    expect((await numeric.evaluate(subject("it is 7", 7), check({ type: "numeric" }), d)).pass).toBe(true);
  });
});
