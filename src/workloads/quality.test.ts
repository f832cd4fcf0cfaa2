import { describe, expect, it } from "vitest";
import { dailyTrend, detectRegression, type ScoredSample } from "./quality";

const days = (from: number, n: number, score: (i: number) => number | null, human: (i: number) => number | null = () => null): ScoredSample[] =>
  Array.from({ length: n }, (_, i) => ({ day: `2026-05-${String(from + (i % 5)).padStart(2, "0")}`, score: score(i), humanScore: human(i) }));

describe("quality trend and regression detection", () => {
  it("daily means count human grades over automated scores", () => {
    const t = dailyTrend([{ day: "2026-05-01", score: 0.2, humanScore: 1 }, { day: "2026-05-01", score: 0.4, humanScore: null }, { day: "2026-05-02", score: null, humanScore: null }]);
    expect(t).toEqual([
      { day: "2026-05-01", samples: 2, scored: 2, human_graded: 1, mean_score: 0.7 },
      { day: "2026-05-02", samples: 1, scored: 0, human_graded: 0, mean_score: null },
    ]);
  });
  it("flags a sustained drop beyond the margin", () => {
    const baseline = days(1, 50, (i) => (i % 5 === 0 ? 0.7 : 0.9));
    const recent = days(20, 20, (i) => (i % 3 === 0 ? 0.6 : 0.5));
    const r = detectRegression([...baseline, ...recent], "2026-05-20", 0.1);
    expect(r.regressed).toBe(true);
    expect(r.p_value!).toBeLessThan(0.05);
  });
  it("does not flag one bad sample, a drop within the margin, or too few samples", () => {
    const baseline = days(1, 50, (i) => (i % 5 === 0 ? 0.7 : 0.9));
    expect(detectRegression([...baseline, ...days(20, 20, (i) => (i === 0 ? 0 : 0.9))], "2026-05-20", 0.1).regressed).toBe(false);
    expect(detectRegression([...baseline, ...days(20, 20, () => 0.82)], "2026-05-20", 0.1).regressed).toBe(false);
    expect(detectRegression([...baseline, ...days(20, 5, () => 0)], "2026-05-20", 0.1).reason).toMatch(/not enough/);
  });
  it("human grades can reveal a regression automated scores missed", () => {
    const baseline = days(1, 40, () => 0.9, () => 0.9);
    const recent = days(20, 15, () => 0.9, () => 0.3);
    expect(detectRegression([...baseline, ...recent], "2026-05-20").regressed).toBe(true);
  });
});
