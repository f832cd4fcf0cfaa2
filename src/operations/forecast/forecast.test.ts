import { describe, expect, it } from "vitest";
import { adjustmentsFor, type PlannedChange, type ScopeMix } from "./adjustments";
import { backtest, mape, smape } from "./backtest";
import { addDays, monthBounds, previousMonth } from "./dates";
import { projectExhaustion } from "./exhaustion";
import { fitHoltWinters, forecastPoints, seededRandom } from "./holt-winters";
import { forecastSpend, pointForecast } from "./index";

const WEEK = [1, 1.05, 1.1, 1.05, 1, 0.4, 0.35];
const series = <T = number>(n: number, f: (t: number) => T): T[] => Array.from({ length: n }, (_, t) => f(t));

describe("Holt-Winters", () => {
  it("extrapolates a clean linear trend with weekly seasonality almost exactly", () => {
    const f = (t: number) => 1000 + 10 * t + 200 * (WEEK[t % 7] - 0.85);
    const fit = fitHoltWinters(series(84, f));
    const ahead = forecastPoints(fit, 28);
    ahead.forEach((v, i) => expect(Math.abs(v - f(84 + i)) / f(84 + i)).toBeLessThan(0.02));
  });

  it("learns a pure weekly cycle: the forecast repeats it", () => {
    const f = (t: number) => 500 * WEEK[t % 7];
    const ahead = forecastPoints(fitHoltWinters(series(70, f)), 14);
    ahead.forEach((v, i) => expect(v).toBeCloseTo(f(70 + i), 0));
  });

  it("follows a step change (a launch) instead of averaging it away", () => {
    const f = (t: number) => (t < 60 ? 100 : 160) * WEEK[t % 7];
    const ahead = forecastPoints(fitHoltWinters(series(90, f)), 14);
    const weekAhead = ahead.slice(0, 7).reduce((a, b) => a + b, 0);
    const truth = series(7, (i) => f(90 + i)).reduce((a, b) => a + b, 0);
    expect(Math.abs(weekAhead - truth) / truth).toBeLessThan(0.05);
  });

  it("refuses a series shorter than two weeks", () => {
    expect(() => fitHoltWinters([1, 2, 3])).toThrow(RangeError);
  });
});

describe("forecastSpend", () => {
  const rand = seededRandom(7);
  const noisy = series(120, (t) => Math.round(1e9 * (50 + 0.2 * t) * WEEK[t % 7] * (0.9 + 0.2 * rand())));
  const history = noisy.slice(0, 90);
  const actual = noisy.slice(90);

  it("gives a central value and an 80% interval that covers about 80% of what happened", () => {
    const fc = forecastSpend({ history, start: "2026-01-01", horizon: 30 });
    expect(fc.daily).toHaveLength(30);
    expect(fc.daily[0].date).toBe("2026-01-01");
    expect(fc.daily[29].date).toBe("2026-01-30");
    const inside = fc.daily.filter((d, i) => d.p10 <= actual[i] && actual[i] <= d.p90).length;
    expect(inside).toBeGreaterThanOrEqual(18);
    for (const d of fc.daily) {
      expect(d.p10).toBeLessThanOrEqual(d.p50);
      expect(d.p50).toBeLessThanOrEqual(d.p90);
      expect(Number.isInteger(d.p50)).toBe(true);
    }
  });

  it("gives the total its own interval: narrower than summed daily bounds, still containing its p50", () => {
    const fc = forecastSpend({ history, start: "2026-01-01", horizon: 30 });
    const sumP10 = fc.daily.reduce((a, d) => a + d.p10, 0);
    const sumP90 = fc.daily.reduce((a, d) => a + d.p90, 0);
    expect(fc.total.p50).toBe(fc.daily.reduce((a, d) => a + d.p50, 0));
    expect(fc.total.p10).toBeGreaterThan(sumP10);
    expect(fc.total.p90).toBeLessThan(sumP90);
    const truth = actual.reduce((a, b) => a + b, 0);
    expect(Math.abs(fc.total.p50 - truth) / truth).toBeLessThan(0.1);
  });

  it("widens the interval with the horizon", () => {
    const fc = forecastSpend({ history, start: "2026-01-01", horizon: 90 });
    const width = (i: number) => fc.daily[i].p90 - fc.daily[i].p10;
    expect(width(84)).toBeGreaterThan(width(0));
  });

  it("is deterministic and backtested on its own last 30 days", () => {
    const a = forecastSpend({ history, start: "2026-01-01", horizon: 30 });
    const b = forecastSpend({ history, start: "2026-01-01", horizon: 30 });
    expect(a).toEqual(b);
    expect(a.backtest.holdout_days).toBe(30);
    expect(a.backtest.smape).toBeLessThan(0.15);
    expect(a.method).toMatch(/^holt-winters/);
  });

  it("applies planned changes to every path", () => {
    const base = forecastSpend({ history, start: "2026-01-01", horizon: 30 });
    const factor = new Array(30).fill(1).map((_, d) => (d >= 10 ? 1.5 : 1));
    const add = new Array(30).fill(1e9);
    const adj = forecastSpend({ history, start: "2026-01-01", horizon: 30, adjust: { factor, add, applied: ["x"] } });
    expect(adj.daily[0].p50).toBe(base.daily[0].p50 + 1e9);
    expect(adj.daily[20].p50).toBeCloseTo(base.daily[20].p50 * 1.5 + 1e9, -1);
    expect(adj.total.p90).toBeGreaterThan(base.total.p90);
  });

  it("falls back to the recent mean on a short history and to zero on none", () => {
    const short = forecastSpend({ history: [10, 20, 30], start: "2026-01-01", horizon: 5 });
    expect(short.method).toMatch(/recent-mean/);
    expect(short.daily[0].p50).toBe(20);
    const none = forecastSpend({ history: [], start: "2026-01-01", horizon: 5 });
    expect(none.total).toEqual({ p50: 0, p10: 0, p90: 0 });
  });
});

describe("backtest", () => {
  it("measures sMAPE and MAPE on known numbers", () => {
    expect(smape([100, 0], [110, 0])).toBeCloseTo(20 / 210, 10);
    expect(mape([100, 0, 50], [110, 5, 40])).toBeCloseTo(0.15, 10);
    expect(smape([], [])).toBeNull();
  });

  it("uses only the history before each origin (a forecaster that peeks would score 0)", () => {
    const y = series(60, (t) => t);
    const r = backtest(y, (h, k) => new Array(k).fill(h[h.length - 1]), { holdout: 30, horizon: 1, minHistory: 14 });
    // Predicting yesterday's value on a +1/day ramp is off by exactly 1 each day.
    expect(r.points).toBe(30);
    expect(r.mape).toBeCloseTo(series(30, (i) => 1 / (30 + i)).reduce((a, b) => a + b, 0) / 30, 10);
  });

  it("scores the seasonal method near zero on a clean seasonal series", () => {
    const y = series(90, (t) => 100 * WEEK[t % 7]);
    expect(backtest(y, pointForecast, { holdout: 30, horizon: 7, minHistory: 14 }).smape!).toBeLessThan(0.01);
  });
});

describe("exhaustion date", () => {
  const daily = series(10, (i) => ({ date: addDays("2026-01-22", i), p50: 10 }));
  it("is the first day cumulative spend passes the limit", () => {
    expect(projectExhaustion({ spentNusd: 75, limitNusd: 100, periodEnd: "2026-01-31", daily })).toEqual({ projected_nusd: 175, exhaustion_date: "2026-01-24" });
  });
  it("is null when the period ends first, and ignores days past the period", () => {
    expect(projectExhaustion({ spentNusd: 0, limitNusd: 100, periodEnd: "2026-01-25", daily })).toEqual({ projected_nusd: 40, exhaustion_date: null });
  });
  it("is the first forecast day when the budget is already spent; no limit means no date", () => {
    expect(projectExhaustion({ spentNusd: 120, limitNusd: 100, periodEnd: "2026-01-31", daily }).exhaustion_date).toBe("2026-01-22");
    expect(projectExhaustion({ spentNusd: 120, limitNusd: 0, periodEnd: "2026-01-31", daily }).exhaustion_date).toBeNull();
  });
});

describe("planned changes", () => {
  const mix: ScopeMix = { scope: "team", subject: "t1", teamOfWorkload: { w1: "t1", w2: "t2" }, workloadShare: { w1: 0.25 }, modelShare: { m1: 0.5 } };
  const change = (c: Partial<PlannedChange>): PlannedChange => ({ id: "c", kind: "workload_change", team: null, workload: null, model: null, percent: null, nusd_per_day: null, effective_from: "2026-01-05", effective_to: null, ...c });
  it("scales a team by a workload's share from the effective date, and adds $/day in full", () => {
    const a = adjustmentsFor([change({ workload: "w1", percent: 100 }), change({ id: "d", workload: "w1", nusd_per_day: 7 })], mix, "2026-01-01", 10);
    expect(a.factor.slice(0, 4)).toEqual([1, 1, 1, 1]);
    expect(a.factor[4]).toBeCloseTo(1.25);
    expect(a.add[3]).toBe(0);
    expect(a.add[9]).toBe(7);
    expect(a.applied).toEqual(["c", "d"]);
  });
  it("ignores another team's workload; prices scale by the model's share and end on effective_to", () => {
    const a = adjustmentsFor([change({ workload: "w2", percent: 100 }), change({ id: "p", kind: "price_change", model: "m1", percent: -20, effective_to: "2026-01-06" })], mix, "2026-01-01", 10);
    expect(a.factor[4]).toBeCloseTo(0.9);
    expect(a.factor[5]).toBeCloseTo(0.9);
    expect(a.factor[6]).toBe(1);
    expect(a.applied).toEqual(["p"]);
  });
});

describe("dates", () => {
  it("handles month ends and year turns", () => {
    expect(monthBounds("2028-02")).toEqual({ first: "2028-02-01", last: "2028-02-29" });
    expect(previousMonth("2026-01")).toBe("2025-12");
  });
});
