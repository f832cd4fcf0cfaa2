/**
 * @module
 * Read-only aggregates the dashboard needs and no other admin endpoint gives: traffic, latency,
 * error, fallback and cache-hit rates per provider and region, and DLP findings and blocks, both
 * over this edge's request metadata (usage_events of its zone) for the last `days` days. The
 * arithmetic is pure (src/operations/dashboard-stats.ts); this file only reads rows.
 */
import { z } from "zod";
import { ProblemError } from "../../errors/problem";
import { DRILL_TEAM } from "../../routing/drills";
import { summariseDlp, trafficByProvider, type DlpRow, type TrafficRow } from "../../operations/dashboard-stats";
import { adminRoute, type AdminRoute } from "../router";

/** The most rows one aggregate reads; beyond it the answer says `truncated` (newest rows win). */
export const DASHBOARD_ROW_CAP = 50_000;

const Query = z.object({ days: z.coerce.number().int().min(1).max(90).default(14) });

function window(query: URLSearchParams): { days: number; since: string } {
  const q = Query.safeParse(Object.fromEntries(query));
  if (!q.success) throw new ProblemError(400, "Invalid Query", q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return { days: q.data.days, since: new Date(Date.now() - q.data.days * 86_400_000).toISOString() };
}

export const dashboardRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "get", path: "/dashboard/traffic", tag: "dashboard", roles: ["auditor", "finance"],
    summary: "Traffic per provider and region over ?days= (default 14): requests, error rate, p50/p95 latency, fallbacks, cache hit rate",
    handler: async ({ env, query }) => {
      const { days, since } = window(query);
      // Drill traffic is synthetic (src/routing/drills.ts): it would skew production rates.
      const rows = await env.DB.prepare(
        `SELECT provider, region, latency_ms, status, cache, route FROM usage_events
         WHERE ts >= ? AND (team IS NULL OR team != ?) ORDER BY ts DESC LIMIT ?`,
      ).bind(since, DRILL_TEAM, DASHBOARD_ROW_CAP + 1).all<TrafficRow>();
      const truncated = rows.results.length > DASHBOARD_ROW_CAP;
      const data = trafficByProvider(rows.results.slice(0, DASHBOARD_ROW_CAP));
      return { since, days, edge_region: env.REGION, truncated, data };
    },
  }),
  adminRoute({
    method: "get", path: "/dashboard/dlp", tag: "dashboard", roles: ["auditor"],
    summary: "DLP findings and blocks over ?days= (default 14): per entity type, per team, and the latest (ids and types, never values)",
    handler: async ({ env, query }) => {
      const { days, since } = window(query);
      const rows = await env.DB.prepare(
        `SELECT request_id, ts, team, workload, status, detail FROM usage_events
         WHERE ts >= ? AND detail LIKE '%"dlp_re%' ORDER BY ts DESC LIMIT ?`,
      ).bind(since, DASHBOARD_ROW_CAP + 1).all<DlpRow>();
      const truncated = rows.results.length > DASHBOARD_ROW_CAP;
      return { since, days, edge_region: env.REGION, truncated, ...summariseDlp(rows.results.slice(0, DASHBOARD_ROW_CAP)) };
    },
  }),
];
