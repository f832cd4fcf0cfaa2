/**
 * @module
 * Budget breach decision over plain numbers: a team is in breach at 100% of its period budget
 * (or once the ledger refused a request for budget: what is left is too little to serve), or when its spend rate so far projects exhaustion before the period ends (checked only once a
 * tenth of the period has passed, so the first hours of a month do not page anyone).
 */

export interface BudgetFacts {
  limitNusd: number;
  spentNusd: number;
  periodStart: string;
  periodEnd: string;
  /** The ledger refused a request for budget this period (the team is at its limit in effect). */
  refused?: boolean;
}

export interface BreachVerdict {
  breach: "exhausted" | "projected" | null;
  percent: number;
  /** ISO time the budget runs out at the current average rate; null when it will not this period. */
  projectedExhaustionAt: string | null;
}

/** Share of the period that must pass before a projection is trusted. */
export const MIN_ELAPSED_SHARE = 0.1;

/**
 * @example budgetVerdict({ limitNusd: 100, spentNusd: 100, periodStart, periodEnd }, now).breach === "exhausted"
 */
export function budgetVerdict(f: BudgetFacts, now: number): BreachVerdict {
  const percent = f.limitNusd > 0 ? Math.floor((f.spentNusd * 100) / f.limitNusd) : f.spentNusd > 0 ? 100 : 0;
  const start = Date.parse(f.periodStart);
  const end = Date.parse(f.periodEnd);
  const elapsed = Math.max(0, now - start);
  const rate = elapsed > 0 ? f.spentNusd / elapsed : 0;
  const exhaustAt = rate > 0 ? start + f.limitNusd / rate : null;
  const projected = exhaustAt !== null && exhaustAt < end ? new Date(Math.max(exhaustAt, start)).toISOString() : null;
  if (f.refused || (f.limitNusd > 0 && f.spentNusd >= f.limitNusd)) return { breach: "exhausted", percent, projectedExhaustionAt: projected };
  if (f.limitNusd === 0 && f.spentNusd > 0) return { breach: "exhausted", percent, projectedExhaustionAt: projected };
  const trusted = end > start && elapsed / (end - start) >= MIN_ELAPSED_SHARE;
  return { breach: trusted && projected ? "projected" : null, percent, projectedExhaustionAt: projected };
}
