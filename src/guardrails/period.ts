/**
 * @module
 * Budget periods (UTC calendar days, ISO weeks starting Monday, calendar months) as pure
 * functions of a timestamp, so the TeamBudget Durable Object and the admin API agree on when a
 * period starts and ends without sharing state.
 */

export const BUDGET_PERIODS = ["daily", "weekly", "monthly"] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

export interface PeriodBounds {
  /** Epoch ms of the first instant of the period. */
  start: number;
  /** Epoch ms of the first instant of the next period. */
  end: number;
  /** Human label: `2026-07`, `2026-W27` style is avoided; we use the start date `2026-06-29`. */
  label: string;
}

const DAY_MS = 86_400_000;

/**
 * The period containing `now`.
 * @example periodBounds("monthly", Date.UTC(2026, 6, 15)).label === "2026-07"
 */
export function periodBounds(period: BudgetPeriod, now: number): PeriodBounds {
  const d = new Date(now);
  if (period === "monthly") {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    return { start, end, label: new Date(start).toISOString().slice(0, 7) };
  }
  const dayStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === "daily") return { start: dayStart, end: dayStart + DAY_MS, label: new Date(dayStart).toISOString().slice(0, 10) };
  // ISO weeks start on Monday: getUTCDay() is 0 for Sunday.
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  const start = dayStart - sinceMonday * DAY_MS;
  return { start, end: start + 7 * DAY_MS, label: `week-of-${new Date(start).toISOString().slice(0, 10)}` };
}

/** Longest `retry-after` a budget refusal advertises: clients should not sleep for weeks. */
export const MAX_BUDGET_RETRY_AFTER_S = 86_400;

/**
 * Seconds until the period ends, at least 1 and at most {@link MAX_BUDGET_RETRY_AFTER_S}.
 * @example budgetRetryAfterS("daily", Date.UTC(2026, 0, 1, 23, 59, 30)) === 30
 */
export function budgetRetryAfterS(period: BudgetPeriod, now: number): number {
  const { end } = periodBounds(period, now);
  return Math.min(MAX_BUDGET_RETRY_AFTER_S, Math.max(1, Math.ceil((end - now) / 1000)));
}
