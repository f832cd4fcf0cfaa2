/**
 * @module
 * Whether a usage event or request log can become a row, decided before it is written.
 *
 * Why: the writers insert many rows per statement and skip rows already written (redeliveries).
 * SQLite's `INSERT OR IGNORE` also skips, without a word, a row that breaks a NOT NULL column, so
 * an event with a missing or non-numeric cost used to vanish: money not counted, nothing logged.
 * The writers now insert with `ON CONFLICT DO NOTHING` (only a duplicate id is skipped; anything
 * else fails the statement), and the consumer checks each record here first, so one bad record is
 * set aside in `ingest_rejects` (with why) instead of failing its batch forever or disappearing.
 * The checks mirror the tables' NOT NULL columns (d1-migrations 0000, 0003) and add what the
 * sums need: counts and money are non-negative safe integers.
 */

interface FieldRules {
  /** Non-empty strings. */
  text: readonly string[];
  /** Non-negative safe integers (JSON cannot carry NaN or Infinity: they arrive as null). */
  count: readonly string[];
  /** Booleans (or 0/1, as earlier versions sent). */
  flag?: readonly string[];
  /** Strings or null/absent. */
  optionalText?: readonly string[];
}

const USAGE_RULES: FieldRules = {
  text: ["request_id", "ts", "region"],
  count: ["tokens_in", "tokens_out", "cost_nusd", "latency_ms", "status"],
  flag: ["estimated"],
  optionalText: ["team", "workload", "key_id", "model", "provider", "error_code", "data_class", "cache", "route", "client_request_id", "forwarded_from"],
};

const LOG_RULES: FieldRules = {
  text: ["request_id", "ts", "data_class", "expires_at"],
  count: ["status", "tokens_in", "tokens_out"],
  optionalText: ["team", "workload", "key_id", "model", "provider", "cache", "client_request_id"],
};

/** An ISO-8601 UTC timestamp as the gateway writes them: the rollup groups by its first 10 characters. */
const ISO_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function problems(record: unknown, rules: FieldRules): string[] {
  if (!record || typeof record !== "object" || Array.isArray(record)) return ["not an object"];
  const r = record as Record<string, unknown>;
  const out: string[] = [];
  for (const k of rules.text) if (typeof r[k] !== "string" || r[k] === "") out.push(`${k}: expected a non-empty string, got ${describe(r[k])}`);
  for (const k of rules.count) if (!Number.isSafeInteger(r[k]) || (r[k] as number) < 0) out.push(`${k}: expected a non-negative integer, got ${describe(r[k])}`);
  for (const k of rules.flag ?? []) if (typeof r[k] !== "boolean" && r[k] !== 0 && r[k] !== 1) out.push(`${k}: expected a boolean, got ${describe(r[k])}`);
  for (const k of rules.optionalText ?? []) if (r[k] != null && typeof r[k] !== "string") out.push(`${k}: expected a string or null, got ${describe(r[k])}`);
  if (typeof r.ts === "string" && !ISO_TS.test(r.ts)) out.push(`ts: expected an ISO-8601 UTC time, got ${describe(r.ts)}`);
  return out;
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * Why a usage event cannot be written as a `usage_events` row, or undefined when it can.
 * @example usageRejectReason({ ...event, cost_nusd: null }) // "cost_nusd: expected a non-negative integer, got null"
 */
export function usageRejectReason(event: unknown): string | undefined {
  return problems(event, USAGE_RULES).join("; ") || undefined;
}

/**
 * Why a request log record cannot be written as a `request_logs` row, or undefined when it can.
 * @example logRejectReason({ ...record, expires_at: undefined }) // "expires_at: expected a non-empty string, got nothing"
 */
export function logRejectReason(record: unknown): string | undefined {
  const found = problems(record, LOG_RULES);
  const types = (record as { dlp_types?: unknown } | null)?.dlp_types;
  if (record && typeof record === "object" && !(Array.isArray(types) && types.every((t) => typeof t === "string"))) found.push(`dlp_types: expected a list of strings, got ${describe(types)}`);
  return found.join("; ") || undefined;
}
