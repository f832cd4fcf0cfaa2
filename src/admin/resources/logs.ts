/**
 * @module
 * Tiered request logs in the admin plane. Metadata (GET /logs) is visible to auditors and, for
 * their own team, team owners. Bodies (GET /logs/{id}/body): public ones to admin, auditors and
 * the owning team owner; internal ones only to auditors and the owning team owner; restricted
 * requests have none. Every body read is itself written to the audit log. The restricted-content
 * audit is run and read under /audits/restricted.
 */
import { z } from "zod";
import { audit } from "../../config/store";
import { ProblemError } from "../../errors/problem";
import { runRestrictedAudit } from "../../logging/audit";
import { storedClientRequestId } from "../../logging/emit";
import { readBody } from "../../logging/segment";
import { requireTeamAccess } from "../auth";
import { mergeLogs } from "../region-merge";
import { adminRoute, type AdminRoute } from "../router";

const Query = z.object({
  team: z.string().max(64).optional(),
  workload: z.string().max(64).optional(),
  data_class: z.enum(["public", "internal", "restricted"]).optional(),
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  /** The client's `x-request-id` (several requests may share one; restricted rows match by its hash). */
  client_request_id: z.string().min(1).max(128).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

interface LogRow {
  request_id: string; client_request_id: string | null; ts: string; team: string | null; workload: string | null; key_id: string | null; model: string | null; provider: string | null;
  data_class: string; status: number; tokens_in: number; tokens_out: number; cache: string | null; dlp_types: string | null; body_key: string | null; body_offset: number | null; body_bytes: number | null; expires_at: string;
}

function view(r: LogRow) {
  // Where the body sits in R2 is storage detail, not part of the API.
  const { body_key, body_offset: _offset, dlp_types, ...rest } = r;
  return { ...rest, dlp_types: dlp_types ? (JSON.parse(dlp_types) as string[]) : [], has_body: body_key !== null };
}

export const logRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "get", path: "/logs", tag: "logs", summary: "Request log metadata (query: team, workload, data_class, from, to, client_request_id, limit)", roles: ["auditor", "team-owner"],
    spansRegions: { merge: mergeLogs },
    handler: async ({ env, query, principal }) => {
      const q = Query.safeParse(Object.fromEntries(query));
      if (!q.success) throw new ProblemError(400, "Invalid Query", q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
      const team = principal.role === "team-owner" ? principal.team : q.data.team;
      const where: string[] = [];
      const args: unknown[] = [];
      if (team) (where.push("team = ?"), args.push(team));
      if (q.data.workload) (where.push("workload = ?"), args.push(q.data.workload));
      if (q.data.data_class) (where.push("data_class = ?"), args.push(q.data.data_class));
      if (q.data.from) (where.push("ts >= ?"), args.push(q.data.from));
      if (q.data.to) (where.push("ts <= ?"), args.push(q.data.to));
      if (q.data.client_request_id) {
        const id = q.data.client_request_id;
        where.push("client_request_id IN (?, ?)");
        args.push(id, await storedClientRequestId(id, "restricted"));
      }
      const rows = await env.DB.prepare(`SELECT * FROM request_logs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ts DESC LIMIT ?`).bind(...args, q.data.limit).all<LogRow>();
      return { data: rows.results.map(view) };
    },
  }),
  adminRoute({
    method: "get", path: "/logs/:id/body", tag: "logs", summary: "Request/response bodies of a public or internal request (every read is audited)", roles: ["auditor", "team-owner"],
    // Read in the zone that holds it, under that zone's tier and team checks.
    spansRegions: { find: true },
    handler: async ({ env, params, principal }) => {
      const requestId = String(params.id).slice(0, 128);
      const row = await env.DB.prepare("SELECT * FROM request_logs WHERE request_id = ?").bind(requestId).first<LogRow>();
      if (!row) throw new ProblemError(404, "Not Found", `No log for request ${requestId}.`);
      if (row.team) requireTeamAccess(principal, row.team);
      else if (principal.role === "team-owner") throw new ProblemError(403, "Forbidden", "This log belongs to no team.");
      if (row.data_class === "internal" && principal.role !== "auditor" && principal.role !== "team-owner") {
        throw new ProblemError(403, "Forbidden", "Internal bodies are readable only by auditors and the owning team owner.");
      }
      if (!row.body_key) throw new ProblemError(404, "No Body", row.data_class === "restricted" ? "Restricted requests keep metadata only." : "This request has no stored body.");
      // Audit first: a read that happens must be on record even if it then fails.
      await audit(env, { actor: principal.sub, action: "log.body.read", resource: `logs/${requestId}`, detail: { data_class: row.data_class, team: row.team, role: principal.role } });
      // Whole object, or this row's byte range of its batch segment.
      const obj = await readBody(env.BLOBS, row);
      if (!obj) throw new ProblemError(404, "No Body", "The body has been purged (retention).");
      return { request_id: requestId, data_class: row.data_class, team: row.team, ...(await obj.json<Record<string, unknown>>()) };
    },
  }),
  adminRoute({
    method: "get", path: "/audits/restricted", tag: "audits", summary: "Latest restricted-content audit reports", roles: ["auditor"],
    handler: async ({ env }) => {
      const rows = await env.DB.prepare("SELECT report FROM restricted_audits ORDER BY ts DESC LIMIT 10").all<{ report: string }>();
      const reports = rows.results.map((r) => JSON.parse(r.report) as Record<string, unknown>);
      return { latest: reports[0] ?? null, recent: reports };
    },
  }),
  adminRoute({
    method: "post", path: "/audits/restricted", tag: "audits", summary: "Run the restricted-content audit now", roles: ["auditor"], status: 201,
    handler: async ({ env, principal }) => {
      const report = await runRestrictedAudit(env, Date.now());
      await audit(env, { actor: principal.sub, action: "audit.restricted.run", resource: `audits/${report.id}`, detail: { ok: report.ok } });
      return report;
    },
  }),
];
