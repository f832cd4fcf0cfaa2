/**
 * @module
 * Reports: generate on demand (finance/compliance for a month), list the archive, read a report's
 * data and the exact MIME message that was sent. Finance and admin generate; auditors read.
 */
import { z } from "zod";
import { ProblemError } from "../../errors/problem";
import { createReport, deliverReport, getReport, reportView, type ReportRow } from "../../operations/reports/archive";
import { mergeReports } from "../region-merge";
import { adminRoute, type AdminRoute } from "../router";

export const ReportPost = z
  .object({
    kind: z.enum(["finance", "compliance"]),
    period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month, YYYY-MM"),
  })
  .strict();
type ReportPost = z.infer<typeof ReportPost>;

async function found(env: Parameters<typeof getReport>[0], id: string): Promise<ReportRow> {
  const row = /^rep_[a-z0-9_-]{1,80}$/.test(id) ? await getReport(env, id) : null;
  if (!row) throw new ProblemError(404, "Not Found", `No report ${id}.`);
  return row;
}

export const reportRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "post", path: "/reports", tag: "reports", status: 201, roles: ["finance"], body: ReportPost,
    summary: "Generate a finance or compliance report for a month now, archive it and email it",
    handler: async ({ env, body }) => {
      const b = body as ReportPost;
      const now = Date.now();
      if (b.period > new Date(now).toISOString().slice(0, 7)) {
        throw new ProblemError(400, "Invalid Request Body", `period: ${b.period} has not started yet.`, [{ path: "period", message: "a month that has started" }]);
      }
      const row = await createReport(env, { kind: b.kind, period: b.period, trigger: "api", now });
      return reportView((await deliverReport(env, row.id)) ?? row);
    },
  }),
  adminRoute({
    method: "get", path: "/reports", tag: "reports", roles: ["finance", "auditor"], summary: "Archived reports, newest first (query: kind, period)",
    // Each region archives reports on its own zone: the list gathers them all.
    spansRegions: { merge: mergeReports },
    handler: async ({ env, query }) => {
      const q = z.object({ kind: z.enum(["finance", "compliance"]).optional(), period: z.string().regex(/^\d{4}-\d{2}$/).optional() }).safeParse(Object.fromEntries(query));
      if (!q.success) throw new ProblemError(400, "Invalid Query", q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
      const where: string[] = [];
      const args: string[] = [];
      if (q.data.kind) (where.push("kind = ?"), args.push(q.data.kind));
      if (q.data.period) (where.push("period = ?"), args.push(q.data.period));
      const rows = await env.DB.prepare(`SELECT * FROM reports ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, id LIMIT 500`).bind(...args).all<ReportRow>();
      return rows.results.map(reportView);
    },
  }),
  adminRoute({
    method: "get", path: "/reports/:id", tag: "reports", roles: ["finance", "auditor"], summary: "A report's data (JSON, money in nano-USD) with its archive facts",
    spansRegions: { find: true },
    handler: async ({ env, params }) => {
      const row = await found(env, params.id);
      const object = await env.BLOBS.get(row.data_key);
      if (!object) throw new ProblemError(410, "Gone", `The archived data of ${row.id} is missing from R2.`);
      return { ...reportView(row), data: JSON.parse(await object.text()) as unknown };
    },
  }),
  adminRoute({
    method: "get", path: "/reports/:id/email", tag: "reports", roles: ["finance", "auditor"], summary: "The exact MIME message sent (message/rfc822)",
    spansRegions: { find: true },
    handler: async ({ env, params }) => {
      const row = await found(env, params.id);
      const object = await env.BLOBS.get(row.mime_key);
      if (!object) throw new ProblemError(410, "Gone", `The archived message of ${row.id} is missing from R2.`);
      return new Response(object.body, { headers: { "content-type": "message/rfc822", "x-content-sha256": row.sha256, "content-disposition": `inline; filename="${row.id}.eml"` } });
    },
  }),
];
