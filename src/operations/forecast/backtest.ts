/**
 * @module
 * Forecast error measures and the rolling-origin backtest: refit on the history up to each origin
 * in the holdout window, forecast the next days, compare with what happened.
 */

export interface BacktestResult {
  holdout_days: number;
  /** Days ahead forecast from each origin (1 = next day only). */
  horizon_days: number;
  /** Symmetric mean absolute percentage error, 0..2 (0.1 = 10%). */
  smape: number | null;
  /** Mean absolute percentage error over days with non-zero actuals. */
  mape: number | null;
  points: number;
}

/** @example smape([100], [110]) ≈ 0.0952 */
export function smape(actual: number[], forecast: number[]): number | null {
  let sum = 0;
  let n = 0;
  actual.forEach((a, i) => {
    const f = forecast[i];
    const denom = Math.abs(a) + Math.abs(f);
    if (denom === 0) return; // both zero: a perfect forecast of an idle day, no information
    sum += (2 * Math.abs(f - a)) / denom;
    n++;
  });
  return n ? sum / n : null;
}

/** @example mape([100, 0], [110, 5]) === 0.1 (zero actuals are skipped) */
export function mape(actual: number[], forecast: number[]): number | null {
  let sum = 0;
  let n = 0;
  actual.forEach((a, i) => {
    if (a === 0) return;
    sum += Math.abs(forecast[i] - a) / Math.abs(a);
    n++;
  });
  return n ? sum / n : null;
}

/** A forecaster: history in, the next `h` central values out. */
export type PointForecaster = (history: number[], h: number) => number[];

/**
 * Rolling origin over the last `holdout` days: each origin forecasts up to `horizon` days ahead
 * (never past the end of the series); the errors of all (origin, day) pairs are pooled.
 * @example backtest(series, (h, k) => forecastPoints(fitHoltWinters(h), k), { holdout: 30, horizon: 7 })
 */
export function backtest(series: number[], forecaster: PointForecaster, opts: { holdout: number; horizon: number; minHistory: number }): BacktestResult {
  const holdout = Math.min(opts.holdout, Math.max(0, series.length - opts.minHistory));
  const actual: number[] = [];
  const predicted: number[] = [];
  for (let origin = series.length - holdout; origin < series.length; origin++) {
    const k = Math.min(opts.horizon, series.length - origin);
    const f = forecaster(series.slice(0, origin), k);
    for (let i = 0; i < k; i++) {
      actual.push(series[origin + i]);
      predicted.push(Math.max(0, f[i]));
    }
  }
  return { holdout_days: holdout, horizon_days: opts.horizon, smape: smape(actual, predicted), mape: mape(actual, predicted), points: actual.length };
}
