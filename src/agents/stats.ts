/**
 * @module
 * Robust statistics for baselines and anomaly checks: median and MAD instead of mean and standard
 * deviation, so one past incident does not widen the band enough to hide the next.
 */

/** @example median([3, 1, 2]) // 2 */
export function median(xs: readonly number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median absolute deviation. @example mad([1, 2, 3, 4, 100]) // 1 */
export function mad(xs: readonly number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

/**
 * Robust z-score (0.6745·(x−median)/MAD). `floor` keeps a perfectly flat history from turning
 * every small wobble into an infinite score.
 * @example robustZ(50, [10, 11, 9, 10, 12], 1) // ≈ 27
 */
export function robustZ(x: number, history: readonly number[], floor = 1): number {
  return (0.6745 * (x - median(history))) / Math.max(mad(history), floor);
}

/** Coefficient of variation of the gaps between sorted timestamps; low means clockwork regularity. */
export function gapCv(sortedTimes: readonly number[]): number {
  if (sortedTimes.length < 3) return Number.POSITIVE_INFINITY;
  const gaps = sortedTimes.slice(1).map((t, i) => t - sortedTimes[i]);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  if (mean === 0) return 0;
  const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
  return sd / mean;
}

/** Threshold on |robust z| above which a value is called a deviation (Iglewicz–Hoaglin's 3.5). */
export const ROBUST_Z_THRESHOLD = 3.5;
