/**
 * @module
 * The statistics evaluations need: percentiles, and a one-sided Welch t-test for "this week's
 * scores are lower than the baseline's" (regression detection that a single bad sample cannot
 * trigger). Pure functions.
 */

/** Nearest-rank percentile (p in 0–100) of a list; null for an empty list. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : 0;
}

function variance(values: readonly number[], m: number): number {
  return values.length > 1 ? values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1) : 0;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26; error below 1.5e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.SQRT2);
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

/** Regularised incomplete beta by continued fraction (Numerical Recipes betacf). */
function betacf(a: number, b: number, x: number): number {
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < 1e-30 ? 1e-30 : d);
  let h = d;
  for (let m = 1; m <= 200; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 / (Math.abs(1 + aa * d) < 1e-30 ? 1e-30 : 1 + aa * d);
    c = Math.abs(1 + aa / c) < 1e-30 ? 1e-30 : 1 + aa / c;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 / (Math.abs(1 + aa * d) < 1e-30 ? 1e-30 : 1 + aa * d);
    c = Math.abs(1 + aa / c) < 1e-30 ? 1e-30 : 1 + aa / c;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 3e-12) break;
  }
  return h;
}

function lnGamma(x: number): number {
  const g = [76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const c of g) ser += c / ++y;
  return -tmp + Math.log((2.5066282746310005 * ser) / x);
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const bt = Math.exp(lnGamma((df + 1) / 2) - lnGamma(df / 2) - lnGamma(0.5) + (df / 2) * Math.log(x) + 0.5 * Math.log(1 - x));
  const ibeta = x < (df / 2 + 1) / (df / 2 + 0.5 + 2) ? (bt * betacf(df / 2, 0.5, x)) / (df / 2) : 1 - (bt * betacf(0.5, df / 2, 1 - x)) / 0.5;
  const tail = ibeta / 2;
  return t >= 0 ? 1 - tail : tail;
}

export interface DropTest {
  baseline_mean: number;
  recent_mean: number;
  drop: number;
  t: number;
  df: number;
  /** One-sided p-value for "recent mean < baseline mean". */
  p_value: number;
  n_baseline: number;
  n_recent: number;
}

/**
 * One-sided Welch t-test that `recent` has a lower mean than `baseline`.
 * @example welchDrop([0.9, 0.8, 0.95], [0.4, 0.5, 0.3]).p_value < 0.05
 */
export function welchDrop(baseline: readonly number[], recent: readonly number[]): DropTest {
  const mb = mean(baseline);
  const mr = mean(recent);
  const vb = variance(baseline, mb) / Math.max(1, baseline.length);
  const vr = variance(recent, mr) / Math.max(1, recent.length);
  const se = Math.sqrt(vb + vr);
  const base = { baseline_mean: mb, recent_mean: mr, drop: mb - mr, n_baseline: baseline.length, n_recent: recent.length };
  if (se === 0) return { ...base, t: mr < mb ? -Infinity : 0, df: 1, p_value: mr < mb ? 0 : 1 };
  const t = (mr - mb) / se;
  const df = (vb + vr) ** 2 / ((vb ** 2) / Math.max(1, baseline.length - 1) + (vr ** 2) / Math.max(1, recent.length - 1));
  return { ...base, t, df, p_value: studentCdf(t, Math.max(1, df)) };
}
