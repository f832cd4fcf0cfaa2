/**
 * @module
 * How admin reads that span regions are put together (src/admin/fan-out.ts gathers the parts).
 * Pure functions of plain data: each part is one region's own answer, and every merged row is
 * flagged with the region it came from, so a reader always knows which zone's store holds it.
 */

/** One region's answer to the same admin read. */
export interface RegionPart {
  region: string;
  body: unknown;
}

/** Which regions answered and which did not: a partial answer is flagged, never silent. */
export interface RegionsReport {
  answered: string[];
  failed: Array<{ region: string; status: number | null; reason: string }>;
  partial: boolean;
}

/** A route's way of merging its regions' answers. */
export type RegionMerge = (parts: readonly RegionPart[], query: URLSearchParams) => unknown;

type Row = Record<string, unknown>;

function rowsOf(body: unknown, key?: string): Row[] {
  const list = key === undefined ? body : (body as Record<string, unknown> | null)?.[key];
  return Array.isArray(list) ? (list.filter((r) => r && typeof r === "object") as Row[]) : [];
}

function flagged(parts: readonly RegionPart[], key?: string): Row[] {
  return parts.flatMap((p) => rowsOf(p.body, key).map((r) => ({ ...r, region: p.region })));
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a ?? "").localeCompare(String(b ?? ""));
}

const USAGE_SUMS = ["requests", "errors", "cache_hits", "tokens_in", "tokens_out", "cost_nusd"] as const;

/**
 * GET /usage: every region's rows, flagged and sorted by the grouping columns, then region; plus
 * `totals` summed over all regions (cost in nano-USD and USD).
 * @example mergeUsage([{ region: "eu", body: { group_by: ["team"], data: [{ team: "a", requests: 2 }] } }]).totals.requests === 2
 */
export function mergeUsage(parts: readonly RegionPart[]): { group_by: string[]; data: Row[]; totals: Record<string, number> } {
  const groupBy = (parts.map((p) => (p.body as { group_by?: unknown } | null)?.group_by).find(Array.isArray) ?? []) as string[];
  const data = flagged(parts, "data").sort((a, b) => {
    for (const g of groupBy) {
      const c = compareValues(a[g], b[g]);
      if (c) return c;
    }
    return compareValues(a.region, b.region);
  });
  const totals: Record<string, number> = {};
  for (const k of USAGE_SUMS) totals[k] = data.reduce((s, r) => s + Number(r[k] ?? 0), 0);
  totals.cost_usd = totals.cost_nusd / 1e9;
  return { group_by: groupBy, data, totals };
}

/**
 * GET /logs: newest first across regions, cut at the query's `limit` (as one region would).
 * @example mergeLogs(parts, new URLSearchParams("limit=10")).data.length <= 10
 */
export function mergeLogs(parts: readonly RegionPart[], query: URLSearchParams): { data: Row[] } {
  const limit = Math.min(1000, Math.max(1, Number(query.get("limit") ?? 100) || 100));
  const data = flagged(parts, "data").sort((a, b) => compareValues(b.ts, a.ts) || compareValues(a.region, b.region));
  return { data: data.slice(0, limit) };
}

/**
 * GET /reports: every region's archive, newest first (each region reports on its own zone).
 * @example mergeReports([{ region: "eu", body: [{ id: "rep_1", created_at: "2026-01-01" }] }])[0].region === "eu"
 */
export function mergeReports(parts: readonly RegionPart[]): Row[] {
  return flagged(parts).sort((a, b) => compareValues(b.created_at, a.created_at) || compareValues(a.id, b.id));
}

/**
 * GET /agents/{id}/calls: an agent's tool calls are recorded in its home zone (and, from before
 * home-edge processing, wherever they were served): newest first up to `limit`.
 * @example mergeAgentCalls(parts, new URLSearchParams("limit=50")).data[0].region
 */
export function mergeAgentCalls(parts: readonly RegionPart[], query: URLSearchParams): { data: Row[] } {
  const limit = Math.min(500, Math.max(1, Number(query.get("limit") ?? 100) || 100));
  return { data: flagged(parts, "data").sort((a, b) => compareValues(b.ts, a.ts) || compareValues(a.region, b.region)).slice(0, limit) };
}

/**
 * GET /delegations/{trace}: a chain's events are written where each step was processed (the
 * issuing admin edge, each agent's home edge): every region's events and calls, in time order.
 * @example mergeDelegation(parts).events.map((e) => e.region)
 */
export function mergeDelegation(parts: readonly RegionPart[]): { trace: unknown; chain: unknown[]; depth: number; events: Row[]; calls: Row[] } {
  const events = flagged(parts, "events").sort((a, b) => compareValues(a.ts, b.ts) || compareValues(a.region, b.region));
  const calls = flagged(parts, "calls").sort((a, b) => compareValues(a.ts, b.ts) || compareValues(a.region, b.region));
  const chain = events.reduce<unknown[]>((longest, e) => (Array.isArray(e.chain) && e.chain.length > longest.length ? e.chain : longest), []);
  const trace = parts.map((p) => (p.body as { trace?: unknown } | null)?.trace).find((t) => t !== undefined) ?? null;
  return { trace, chain, depth: Math.max(0, chain.length - 1), events, calls };
}

/**
 * The report of who answered, from the regions asked and those that failed.
 * @example regionsReport(["us", "eu"], [{ region: "eu", status: null, reason: "unreachable" }]).partial === true
 */
export function regionsReport(asked: readonly string[], failed: RegionsReport["failed"]): RegionsReport {
  const down = new Set(failed.map((f) => f.region));
  return { answered: asked.filter((r) => !down.has(r)), failed, partial: failed.length > 0 };
}
