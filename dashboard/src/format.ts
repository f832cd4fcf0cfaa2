/**
 * @module
 * Number and date formatting for the dashboard: pure functions, unit-tested.
 */

/**
 * US dollars: cents below $1,000, whole dollars above, "–" for missing values.
 * @example usd(1234.5) // "$1,235"
 */
export function usd(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const digits = Math.abs(v) >= 1000 ? 0 : 2;
  return v.toLocaleString("en-US", { style: "currency", currency: "USD", minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * A ratio (0..1) as a percentage with one decimal.
 * @example pct(0.1234) // "12.3%"
 */
export function pct(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "–";
  return `${(ratio * 100).toFixed(digits)}%`;
}

/**
 * An integer with thousands separators.
 * @example int(1234567) // "1,234,567"
 */
export function int(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  return Math.round(v).toLocaleString("en-US");
}

/**
 * Milliseconds, switching to seconds, minutes and hours as they grow.
 * @example duration(900_420) // "15.0 min"
 */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/**
 * An ISO timestamp as "YYYY-MM-DD HH:MM" UTC (dates alone stay dates).
 * @example when("2026-12-02T14:13:14.649Z") // "2026-12-02 14:13"
 */
export function when(iso: string | null | undefined): string {
  if (!iso) return "–";
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().slice(0, 16).replace("T", " ");
}

/**
 * The first day of the UTC month of `now`, as YYYY-MM-DD.
 * @example monthStart(new Date("2026-12-15T10:00:00Z")) // "2026-12-01"
 */
export function monthStart(now: Date): string {
  return `${now.toISOString().slice(0, 7)}-01`;
}

/**
 * The UTC day `days` before `now`, as YYYY-MM-DD.
 * @example daysAgo(new Date("2026-12-15T10:00:00Z"), 14) // "2026-12-01"
 */
export function daysAgo(now: Date, days: number): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}
