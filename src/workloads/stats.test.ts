import { describe, expect, it } from "vitest";
import { normalCdf, percentile, studentCdf, welchDrop } from "./stats";

describe("eval statistics", () => {
  it("nearest-rank percentiles", () => {
    const v = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(v, 50)).toBe(5);
    expect(percentile(v, 90)).toBe(9);
    expect(percentile(v, 99)).toBe(10);
    expect(percentile([], 50)).toBeNull();
  });
  it("distribution functions match tables", () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 3);
    expect(studentCdf(2.228, 10)).toBeCloseTo(0.975, 3);
    expect(studentCdf(-1.812, 10)).toBeCloseTo(0.05, 3);
    expect(studentCdf(0, 7)).toBeCloseTo(0.5, 6);
  });
  it("a clear drop is significant; one bad sample among good ones is not", () => {
    const baseline = Array.from({ length: 60 }, (_, i) => (i % 10 === 0 ? 0.6 : 0.9));
    const dropped = Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? 0.8 : 0.5));
    expect(welchDrop(baseline, dropped).p_value).toBeLessThan(0.001);
    const oneBad = Array.from({ length: 20 }, (_, i) => (i === 0 ? 0 : 0.9));
    const t = welchDrop(baseline, oneBad);
    expect(t.p_value).toBeGreaterThan(0.05);
  });
});
