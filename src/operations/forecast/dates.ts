/**
 * @module
 * UTC calendar arithmetic on ISO dates (YYYY-MM-DD) and months (YYYY-MM), the only date shapes
 * finance uses.
 */
const DAY_MS = 86_400_000;

/** @example addDays("2026-02-27", 2) === "2026-03-01" */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b`. @example daysBetween("2026-01-01", "2026-01-31") === 30 */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

/** Every date from `from` to `to`, both included. */
export function dateRange(from: string, to: string): string[] {
  const n = daysBetween(from, to);
  return Array.from({ length: Math.max(0, n + 1) }, (_, i) => addDays(from, i));
}

/** @example monthBounds("2026-02") → { first: "2026-02-01", last: "2026-02-28" } */
export function monthBounds(month: string): { first: string; last: string } {
  const [y, m] = month.split("-").map(Number);
  const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  return { first: `${month}-01`, last };
}

/** @example previousMonth("2026-01") === "2025-12" */
export function previousMonth(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);
}

/** @example isoDay(Date.parse("2026-03-04T10:00:00Z")) === "2026-03-04" */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
