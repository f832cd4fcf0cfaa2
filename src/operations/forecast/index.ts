/**
 * @module
 * A spend forecast for one series: Holt-Winters (damped trend, weekly seasonality) for the
 * central value, simulated sample paths for the 80% interval of each day and of the horizon's
 * total (quantiles of path sums, not sums of daily quantiles), planned changes applied to every
 * path, and the rolling-origin backtest of the same method on the series' last 30 days.
 * Money is integer nano-USD in and out.
 */
import { backtest, type BacktestResult } from "./backtest";
import { addDays } from "./dates";
import { fitHoltWinters, fitWithParams, forecastPoints, simulatePaths, type HwParams } from "./holt-winters";
import type { DailyAdjustment } from "./adjustments";

export const PERIOD = 7;
export const MIN_HW_HISTORY = 2 * PERIOD;
export const BACKTEST_HOLDOUT = 30;
export const BACKTEST_HORIZON = 7;
/** The backtest re-estimates parameters every this many origins (states are updated at every one). */
export const REFIT_EVERY = 7;
const PATHS = 1000;
const Z80 = 1.2815515655446004;

export interface Quantiles {
  p50: number;
  p10: number;
  p90: number;
}

export interface SeriesForecast {
  method: string;
  history_days: number;
  daily: Array<{ date: string } & Quantiles>;
  total: Quantiles;
  /** Totals over the first N days, for each N asked for in `totalsFor` (each with its own interval). */
  totals: Record<number, Quantiles>;
  backtest: BacktestResult;
}

export interface ForecastInput {
  /** Daily spend (nano-USD), oldest first, ending the day before `start`. */
  history: number[];
  /** First forecast day (YYYY-MM-DD). */
  start: string;
  horizon: number;
  adjust?: DailyAdjustment;
  /** Seed of the simulation, so the same inputs give the same interval. */
  seed?: number;
  /** Also give totals over these leading numbers of days (e.g. 30, 60, 90). */
  totalsFor?: number[];
  /** Skip the backtest (snapshots and budget checks need only the forecast). Default true. */
  backtest?: boolean;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** The central forecaster the backtest grades: exactly the method used for the forecast. */
export function pointForecast(history: number[], h: number): number[] {
  if (history.length >= MIN_HW_HISTORY) return forecastPoints(fitHoltWinters(history, PERIOD), h);
  const recent = history.slice(-PERIOD);
  const level = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : 0;
  return new Array<number>(h).fill(level);
}

/**
 * The backtest's forecaster: parameters re-estimated on the history available at every
 * {@link REFIT_EVERY}-th origin (never on data after the origin), states run to each origin.
 */
export function rollingForecaster(): (history: number[], h: number) => number[] {
  let params: HwParams | undefined;
  let fittedAt = -Infinity;
  return (history, h) => {
    if (history.length < MIN_HW_HISTORY) return pointForecast(history, h);
    if (!params || history.length - fittedAt >= REFIT_EVERY || history.length < fittedAt) {
      params = fitHoltWinters(history, PERIOD).params;
      fittedAt = history.length;
    }
    return forecastPoints(fitWithParams(history, params, PERIOD), h);
  };
}

function ordered(p10: number, p50: number, p90: number): Quantiles {
  return { p50: Math.round(p50), p10: Math.round(Math.min(p10, p50)), p90: Math.round(Math.max(p90, p50)) };
}

/**
 * @example forecastSpend({ history: last90DaysNusd, start: "2026-12-02", horizon: 30 }).total.p50
 */
export function forecastSpend(input: ForecastInput): SeriesForecast {
  const { history, start, horizon } = input;
  const factor = input.adjust?.factor ?? new Array<number>(horizon).fill(1);
  const add = input.adjust?.add ?? new Array<number>(horizon).fill(0);
  const shape = (v: number, d: number) => Math.max(0, v * factor[d] + add[d]);
  const bt = input.backtest === false
    ? { holdout_days: 0, horizon_days: BACKTEST_HORIZON, smape: null, mape: null, points: 0 }
    : backtest(history, rollingForecaster(), { holdout: BACKTEST_HOLDOUT, horizon: BACKTEST_HORIZON, minHistory: MIN_HW_HISTORY });
  if (history.length < MIN_HW_HISTORY) return naiveForecast(input, shape, bt);

  const fit = fitHoltWinters(history, PERIOD);
  const central = forecastPoints(fit, horizon).map(shape);
  const paths = simulatePaths(fit, horizon, PATHS, input.seed ?? 1).map((p) => p.map(shape));
  const daily = central.map((c, d) => {
    const column = paths.map((p) => p[d]).sort((a, b) => a - b);
    return { date: addDays(start, d), ...ordered(quantile(column, 0.1), c, quantile(column, 0.9)) };
  });
  const totalOver = (days: number): Quantiles => {
    const sums = paths.map((p) => p.slice(0, days).reduce((a, b) => a + b, 0)).sort((a, b) => a - b);
    const p50 = daily.slice(0, days).reduce((a, d) => a + d.p50, 0);
    return ordered(quantile(sums, 0.1), p50, quantile(sums, 0.9));
  };
  const { alpha, beta, gamma, phi } = fit.params;
  return {
    method: `holt-winters(additive, damped trend, weekly seasonality; alpha=${alpha} beta=${+beta.toFixed(4)} gamma=${gamma} phi=${phi})`,
    history_days: history.length,
    daily,
    total: totalOver(horizon),
    totals: Object.fromEntries((input.totalsFor ?? []).map((n) => [n, totalOver(Math.min(n, horizon))])),
    backtest: bt,
  };
}

/** Too little history for seasonality: the recent mean with a normal interval from the spread seen. */
function naiveForecast(input: ForecastInput, shape: (v: number, d: number) => number, bt: BacktestResult): SeriesForecast {
  const { history, start, horizon } = input;
  const level = pointForecast(history, 1)[0] ?? 0;
  const sd = history.length > 1 ? Math.sqrt(history.reduce((a, v) => a + (v - level) ** 2, 0) / (history.length - 1)) : level;
  const daily = Array.from({ length: horizon }, (_, d) => ({
    date: addDays(start, d),
    ...ordered(shape(level - Z80 * sd, d), shape(level, d), shape(level + Z80 * sd, d)),
  }));
  const totalOver = (days: number): Quantiles => {
    const p50 = daily.slice(0, days).reduce((a, d) => a + d.p50, 0);
    const spread = Z80 * sd * Math.sqrt(days);
    return ordered(Math.max(0, p50 - spread), p50, p50 + spread);
  };
  return {
    method: history.length ? "recent-mean (fewer than 14 days of history)" : "none (no history)",
    history_days: history.length,
    daily,
    total: totalOver(horizon),
    totals: Object.fromEntries((input.totalsFor ?? []).map((n) => [n, totalOver(Math.min(n, horizon))])),
    backtest: bt,
  };
}
