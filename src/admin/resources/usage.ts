/**
 * @module
 * GET /admin/v1/usage: usage aggregated from the daily rollup, grouped by any of
 * team, workload, model and day. Finance and auditors see all teams; team owners their own.
 * GET /admin/v1/usage/rejects: what the usage consumer could not store, and why.
 */
import { z } from "zod";
import { nusdToUsd } from "../../config/money";
import { ProblemError } from "../../errors/problem";
import { mergeLogs, mergeUsage } from "../region-merge";
import { adminRoute, type AdminRoute } from "../router";

const GROUPS = ["team", "workload", "model", "provider", "day"] as const;
const Query = z.object({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  team: z.string().max(64).optional(),
  workload: z.string().max(64).optional(),
  group_by: z.string().max(64).optional(),
});

const RejectsQuery = z.object({
  kind: z.enum(["usage", "log", "message"]).optional(),
  from: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export const usageRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "get", path: "/usage", tag: "usage", summary: "Usage by team/workload/model/provider/day (query: from, to, team, workload, group_by)", roles: ["finance", "auditor", "team-owner"],
    // Usage stays in each team's zone: the read gathers every region's rollup (src/admin/fan-out.ts).
    spansRegions: { merge: mergeUsage },
    handler: async ({ env, query, principal }) => {
      const q = Query.safeParse(Object.fromEntries(query));
      if (!q.success) throw new ProblemError(400, "Invalid Query", q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
      const groups = (q.data.group_by ?? "team,workload,model,day").split(",").map((g) => g.trim()).filter(Boolean);
      for (const g of groups) if (!(GROUPS as readonly string[]).includes(g)) throw new ProblemError(400, "Invalid Query", `group_by accepts ${GROUPS.join(", ")}; got ${g}.`);
      const team = principal.role === "team-owner" ? principal.team : q.data.team;
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.data.from) (where.push("day >= ?"), args.push(q.data.from));
      if (q.data.to) (where.push("day <= ?"), args.push(q.data.to));
      if (team) (where.push("team = ?"), args.push(team));
      if (q.data.workload) (where.push("workload = ?"), args.push(q.data.workload));
      // Column names come from the fixed GROUPS list above, never from input.
      const cols = groups.join(", ");
      const sql = `SELECT ${cols ? `${cols}, ` : ""}SUM(requests) AS requests, SUM(errors) AS errors, SUM(cache_hits) AS cache_hits,
        SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out, SUM(cost_nusd) AS cost_nusd
        FROM usage_daily ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ${cols ? `GROUP BY ${cols} ORDER BY ${cols}` : ""} LIMIT 10000`;
      const rows = await env.DB.prepare(sql).bind(...args).all<Record<string, number | string>>();
      return {
        group_by: groups,
        data: rows.results.map((r) => ({ ...r, cost_usd: nusdToUsd(Number(r.cost_nusd ?? 0)) })),
      };
    },
  }),
  adminRoute({
    method: "get", path: "/usage/rejects", tag: "usage", summary: "Usage events, request logs and queue messages the consumer could not store, with why, newest first (query: kind, from, limit)", roles: ["finance", "auditor"],
    spansRegions: { merge: mergeLogs },
    handler: async ({ env, query }) => {
      const q = RejectsQuery.safeParse(Object.fromEntries(query));
      if (!q.success) throw new ProblemError(400, "Invalid Query", q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.data.kind) (where.push("kind = ?"), args.push(q.data.kind));
      if (q.data.from) (where.push("received_at >= ?"), args.push(q.data.from));
      const rows = await env.DB.prepare(
        `SELECT received_at AS ts, kind, request_id, team, reason, body FROM ingest_rejects ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY received_at DESC LIMIT ?`,
      )
        .bind(...args, q.data.limit ?? 100)
        .all<{ ts: string; kind: string; request_id: string | null; team: string | null; reason: string; body: string }>();
      // `record` is the stored JSON parsed back: the usage event, or the log record without its bodies.
      return { data: rows.results.map(({ body, ...r }) => ({ ...r, record: JSON.parse(body) as unknown })) };
    },
  }),
];
