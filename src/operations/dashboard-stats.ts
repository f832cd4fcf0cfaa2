/**
 * @module
 * Aggregates the dashboard reads that no other endpoint gives, as pure functions of rows the
 * admin route fetched: traffic per provider and region (latency percentiles, error, fallback and
 * cache-hit rates) and DLP findings and blocks. Rows carry only metadata, never content.
 */

/** One served request, as the usage_events table keeps it (only the columns read here). */
export interface TrafficRow {
  provider: string | null;
  region: string;
  latency_ms: number;
  status: number;
  cache: string | null;
  route: string | null;
}

export interface TrafficStat {
  provider: string;
  region: string;
  requests: number;
  errors: number;
  /** errors ÷ requests, 0..1. */
  error_rate: number;
  p50_ms: number;
  p95_ms: number;
  /** Requests a fallback served after an earlier target failed or was skipped. */
  fallbacks: number;
  fallback_rate: number;
  /** Cache hits ÷ requests that looked the cache up (hit or miss); null when none did. */
  cache_hit_rate: number | null;
  cache_hits: number;
  cache_lookups: number;
}

/**
 * The nearest-rank percentile of sorted numbers (0 when empty).
 * @example percentile([1, 2, 3, 4], 0.5) // 2
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1];
}

/**
 * A routing decision that went past its first choice: a target failed (`after=`) or its
 * circuit was open (`skipped_open=`), as src/routing writes the route column.
 * @example isFallback("default ordered; served=b after=a:timeout") // true
 */
export function isFallback(route: string | null): boolean {
  return route !== null && /\b(after|skipped_open)=/.test(route);
}

/**
 * Traffic per provider × region, busiest first. Requests that never reached a provider
 * (refused before routing) are grouped under provider "(none)".
 * @example trafficByProvider([{ provider: "p", region: "us", latency_ms: 10, status: 200, cache: "miss", route: null }])[0].requests // 1
 */
export function trafficByProvider(rows: readonly TrafficRow[]): TrafficStat[] {
  const groups = new Map<string, { provider: string; region: string; rows: TrafficRow[] }>();
  for (const r of rows) {
    const provider = r.provider ?? "(none)";
    const key = `${provider}\u0000${r.region}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { provider, region: r.region, rows: [] }));
    g.rows.push(r);
  }
  const stats = [...groups.values()].map(({ provider, region, rows: rs }): TrafficStat => {
    const latencies = rs.map((r) => r.latency_ms).sort((a, b) => a - b);
    const errors = rs.filter((r) => r.status >= 500 || r.status === 429 || r.status === 408).length;
    const fallbacks = rs.filter((r) => isFallback(r.route)).length;
    const cacheHits = rs.filter((r) => r.cache === "hit").length;
    const cacheLookups = rs.filter((r) => r.cache === "hit" || r.cache === "miss").length;
    return {
      provider, region, requests: rs.length, errors, error_rate: ratio(errors, rs.length),
      p50_ms: percentile(latencies, 0.5), p95_ms: percentile(latencies, 0.95),
      fallbacks, fallback_rate: ratio(fallbacks, rs.length),
      cache_hit_rate: cacheLookups ? ratio(cacheHits, cacheLookups) : null, cache_hits: cacheHits, cache_lookups: cacheLookups,
    };
  });
  return stats.sort((a, b) => b.requests - a.requests || a.provider.localeCompare(b.provider));
}

function ratio(n: number, d: number): number {
  return d === 0 ? 0 : Math.round((n / d) * 10_000) / 10_000;
}

/** A request whose metadata records DLP findings (detail JSON as stored). */
export interface DlpRow {
  request_id: string;
  ts: string;
  team: string | null;
  workload: string | null;
  status: number;
  detail: string | null;
}

export interface DlpSummary {
  requests_with_findings: number;
  blocked_requests: number;
  by_type: Array<{ type: string; requests: number; blocked: number }>;
  by_team: Array<{ team: string; requests: number; blocked: number }>;
  /** Newest first, at most 50: ids and types only, never a value. */
  recent: Array<{ request_id: string; ts: string; team: string | null; workload: string | null; types: string[]; blocked: boolean }>;
}

interface DlpFacts {
  types?: unknown;
  blocked?: unknown;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/**
 * DLP findings and blocks from request metadata: per entity type, per team, and the latest.
 * A request counts as blocked when DLP blocked any type in its request or response.
 * @example summariseDlp([{ request_id: "r", ts: "t", team: "a", workload: "w", status: 403, detail: '{"dlp_request":{"types":["SECRET"],"blocked":["SECRET"]}}' }]).blocked_requests // 1
 */
export function summariseDlp(rows: readonly DlpRow[]): DlpSummary {
  const byType = new Map<string, { requests: number; blocked: number }>();
  const byTeam = new Map<string, { requests: number; blocked: number }>();
  const recent: DlpSummary["recent"] = [];
  let withFindings = 0;
  let blockedRequests = 0;
  for (const row of rows) {
    let detail: Record<string, DlpFacts | undefined>;
    try {
      detail = row.detail ? (JSON.parse(row.detail) as Record<string, DlpFacts | undefined>) : {};
    } catch {
      continue; // a row whose detail is not JSON carries no findings we can read
    }
    const facts = [detail.dlp_request, detail.dlp_response].filter((f): f is DlpFacts => typeof f === "object" && f !== null);
    const types = [...new Set(facts.flatMap((f) => strings(f.types)))];
    if (types.length === 0) continue;
    const blockedTypes = new Set(facts.flatMap((f) => strings(f.blocked)));
    const blocked = blockedTypes.size > 0;
    withFindings++;
    if (blocked) blockedRequests++;
    for (const t of types) bump(byType, t, blockedTypes.has(t));
    bump(byTeam, row.team ?? "(unknown)", blocked);
    recent.push({ request_id: row.request_id, ts: row.ts, team: row.team, workload: row.workload, types, blocked });
  }
  const list = (m: Map<string, { requests: number; blocked: number }>) =>
    [...m.entries()].map(([k, v]) => ({ key: k, ...v })).sort((a, b) => b.requests - a.requests || a.key.localeCompare(b.key));
  return {
    requests_with_findings: withFindings,
    blocked_requests: blockedRequests,
    by_type: list(byType).map(({ key, ...v }) => ({ type: key, ...v })),
    by_team: list(byTeam).map(({ key, ...v }) => ({ team: key, ...v })),
    recent: recent.sort((a, b) => b.ts.localeCompare(a.ts)).slice(0, 50),
  };
}

function bump(m: Map<string, { requests: number; blocked: number }>, key: string, blocked: boolean): void {
  const v = m.get(key) ?? { requests: 0, blocked: 0 };
  v.requests++;
  if (blocked) v.blocked++;
  m.set(key, v);
}
