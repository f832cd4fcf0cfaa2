/**
 * @module
 * When a team's budget runs out: spend so far in the period plus the forecast's central daily
 * values, day by day, until the period ends.
 */

export interface ExhaustionProjection {
  /** Spend so far plus forecast p50 through the period's last day (nano-USD). */
  projected_nusd: number;
  /** First day on which cumulative spend exceeds the limit; null when it does not within the period. */
  exhaustion_date: string | null;
}

/**
 * @example projectExhaustion({ spentNusd: 90, limitNusd: 100, periodEnd: "2026-01-31", daily: [{ date: "2026-01-30", p50: 20 }] })
 *   → { projected_nusd: 110, exhaustion_date: "2026-01-30" }
 */
export function projectExhaustion(opts: { spentNusd: number; limitNusd: number; periodEnd: string; daily: Array<{ date: string; p50: number }> }): ExhaustionProjection {
  let cumulative = opts.spentNusd;
  let exhaustion: string | null = null;
  const limited = opts.limitNusd > 0;
  if (limited && cumulative > opts.limitNusd) exhaustion = opts.daily[0]?.date ?? null;
  for (const d of opts.daily) {
    if (d.date > opts.periodEnd) break;
    cumulative += d.p50;
    if (limited && exhaustion === null && cumulative > opts.limitNusd) exhaustion = d.date;
  }
  return { projected_nusd: cumulative, exhaustion_date: exhaustion };
}
