/**
 * @module
 * Additive Holt-Winters with a damped trend and weekly seasonality — ETS(A,Ad,A) in error-correction
 * form — fitted by minimising the one-step-ahead sum of squared errors over a fixed parameter grid.
 * Written here because no maintained forecasting library runs in workerd without Node or WASM
 * extras; the method is small, deterministic and unit-tested on series with known answers.
 */
import { seededRandom } from "../../util/seeded-random";

export interface HwParams {
  /** Level smoothing. */
  alpha: number;
  /** Trend smoothing (error-correction form: b += beta·e, so beta ≤ alpha). */
  beta: number;
  /** Seasonal smoothing. */
  gamma: number;
  /** Trend damping; 1 is an undamped (additive) trend. */
  phi: number;
}

export interface HwFit {
  params: HwParams;
  period: number;
  level: number;
  trend: number;
  /** Seasonal states; `season[(n + h - 1) % period]` is the one for the h-th day after the series. */
  season: number[];
  /** Length of the series fitted. */
  n: number;
  sse: number;
  /** Standard deviation of the one-step residuals (after the first season). */
  sigma: number;
}

const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8];
const BETA_SHARES = [0, 0.05, 0.15, 0.3];
const GAMMAS = [0.01, 0.05, 0.1, 0.2, 0.35];
const PHIS = [0.8, 0.9, 0.95, 0.98, 1];

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Initial states from the first two seasons: mean level, slope between them, detrended seasonal offsets. */
function initialStates(y: number[], m: number): { level: number; trend: number; season: number[] } {
  const first = mean(y.slice(0, m));
  const second = mean(y.slice(m, 2 * m));
  const trend = (second - first) / m;
  // Level at the end of the first season's centre, moved back to "just before day 0".
  const level = first - trend * ((m - 1) / 2) - trend;
  const season = Array.from({ length: m }, (_, i) => ((y[i] - (first + trend * (i - (m - 1) / 2))) + (y[i + m] - (second + trend * (i - (m - 1) / 2)))) / 2);
  const offset = mean(season);
  return { level: level + offset, trend, season: season.map((s) => s - offset) };
}

/** Runs the recursions over `y`; returns the final states and the SSE of one-step errors after the first season. */
function run(y: number[], m: number, p: HwParams): Omit<HwFit, "n" | "period" | "params"> & { residuals: number[] } {
  let { level, trend, season } = initialStates(y, m);
  season = season.slice();
  let sse = 0;
  const residuals: number[] = [];
  for (let t = 0; t < y.length; t++) {
    const s = season[t % m];
    const e = y[t] - (level + p.phi * trend + s);
    const nextLevel = level + p.phi * trend + p.alpha * e;
    trend = p.phi * trend + p.beta * e;
    level = nextLevel;
    season[t % m] = s + p.gamma * e;
    if (t >= m) {
      sse += e * e;
      residuals.push(e);
    }
  }
  const sigma = residuals.length > 1 ? Math.sqrt(sse / (residuals.length - 1)) : 0;
  return { level, trend, season, sse, sigma, residuals };
}

/**
 * Fits the model to a daily series (needs at least two full periods).
 * @example const fit = fitHoltWinters(dailySpend, 7); forecastPoints(fit, 30)
 */
export function fitHoltWinters(y: number[], period = 7): HwFit {
  if (y.length < 2 * period) throw new RangeError(`Holt-Winters needs at least ${2 * period} points; got ${y.length}.`);
  let best: { p: HwParams; sse: number } | undefined;
  for (const alpha of ALPHAS)
    for (const share of BETA_SHARES)
      for (const gamma of GAMMAS) {
        if (gamma > 1 - alpha) continue;
        for (const phi of PHIS) {
          const p = { alpha, beta: alpha * share, gamma, phi };
          const { sse } = run(y, period, p);
          if (!best || sse < best.sse) best = { p, sse };
        }
      }
  const params = best!.p;
  const r = run(y, period, params);
  return { params, period, level: r.level, trend: r.trend, season: r.season, n: y.length, sse: r.sse, sigma: r.sigma };
}

/**
 * Runs the model with known parameters (no search): the states after `y`, for a rolling backtest
 * that re-estimates parameters only every few origins.
 * @example fitWithParams(y, fitHoltWinters(y.slice(0, -7)).params)
 */
export function fitWithParams(y: number[], params: HwParams, period = 7): HwFit {
  const r = run(y, period, params);
  return { params, period, level: r.level, trend: r.trend, season: r.season, n: y.length, sse: r.sse, sigma: r.sigma };
}

/** Sum φ + φ² + … + φ^h (the damped-trend multiplier at horizon h). */
function dampedSum(phi: number, h: number): number {
  if (phi === 1) return h;
  return (phi * (1 - phi ** h)) / (1 - phi);
}

/**
 * Central forecasts for the next `h` days.
 * @example forecastPoints(fitHoltWinters(y), 7).length === 7
 */
export function forecastPoints(fit: HwFit, h: number): number[] {
  const m = fit.period;
  return Array.from({ length: h }, (_, i) => fit.level + dampedSum(fit.params.phi, i + 1) * fit.trend + fit.season[(fit.n + i) % m]);
}

/** Deterministic draws (mulberry32) so a forecast is the same every time it is computed. */
export { seededRandom };

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * Sample paths of the next `h` days: the model's own recursions driven by Gaussian errors with the
 * fitted residual spread, so uncertainty grows with the horizon exactly as the states propagate it.
 * @example simulatePaths(fit, 30, 500, 42)[0].length === 30
 */
export function simulatePaths(fit: HwFit, h: number, paths: number, seed: number): number[][] {
  const rand = seededRandom(seed);
  const m = fit.period;
  const { alpha, beta, gamma, phi } = fit.params;
  const out: number[][] = [];
  for (let p = 0; p < paths; p++) {
    let level = fit.level;
    let trend = fit.trend;
    const season = fit.season.slice();
    const path: number[] = new Array(h);
    for (let i = 0; i < h; i++) {
      const idx = (fit.n + i) % m;
      const e = fit.sigma * gaussian(rand);
      path[i] = level + phi * trend + season[idx] + e;
      const nextLevel = level + phi * trend + alpha * e;
      trend = phi * trend + beta * e;
      level = nextLevel;
      season[idx] += gamma * e;
    }
    out.push(path);
  }
  return out;
}
