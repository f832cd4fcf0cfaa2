/**
 * @module
 * Admin resources of operations automation: alerts (list, acknowledge, resolve), incidents with
 * their timeline, steps and MTTD/MTTR figures, runbooks (list, drill, run detection now) and the
 * per-team operations policy the runbooks follow. Team owners see their own team's alerts and
 * incidents only.
 */
import { z } from "zod";
import { audit, nowIso } from "../../config/store";
import type { Env } from "../../env";
import { ProblemError } from "../../errors/problem";
import { runDrill } from "../../operations/incidents/engine";
import { monthlyFigures, type Timeline } from "../../operations/incidents/metrics";
import { addStep, incidentDetail, incidentView, listIncidents, updateIncident } from "../../operations/incidents/store";
import { OpsPolicy } from "../../operations/policy";
import { runbooks, runDetection } from "../../operations/runbooks";
import { requireTeamAccess, type Principal } from "../auth";
import { adminRoute, type AdminRoute } from "../router";
import { parseResourceId } from "./catalog";
import { configDb } from "../../config/control-db";

const Since = z.iso.datetime({ offset: true }).or(z.iso.date());

const AlertQuery = z.object({
  kind: z.string().max(64).optional(),
  severity: z.enum(["info", "warning", "critical"]).optional(),
  team: z.string().max(64).optional(),
  state: z.enum(["open", "closed", "all"]).default("all"),
  since: Since.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const IncidentQuery = z.object({
  kind: z.string().max(64).optional(),
  status: z.enum(["open", "mitigated", "resolved"]).optional(),
  team: z.string().max(64).optional(),
  since: Since.optional(),
  drill: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const MetricsQuery = z.object({ since: Since.optional(), include_drills: z.enum(["true", "false"]).default("false") });

function parseQuery<T extends z.ZodType>(schema: T, query: URLSearchParams): z.infer<T> {
  const q = schema.safeParse(Object.fromEntries(query));
  if (!q.success) throw new ProblemError(400, "Invalid Query", q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return q.data;
}

const AlertNote = z.object({ note: z.string().max(2000).optional() }).strict();
const Drill = z.object({ provider: z.string().max(64).optional(), team: z.string().max(64).optional(), workload: z.string().max(64).optional() }).strict();

interface AlertRow {
  id: string; ts: string; kind: string; severity: string; title: string; evidence: string | null; delivered: string | null;
  acknowledged_at: string | null; acknowledged_by: string | null; resolved_at: string | null; resolved_by: string | null; team: string | null; incident_id: string | null;
}

function alertView(r: AlertRow) {
  return { ...r, evidence: r.evidence ? (JSON.parse(r.evidence) as unknown) : null, delivered: r.delivered ? r.delivered.split(",") : [], state: r.resolved_at ? "closed" : "open" };
}

async function alertFor(env: Env, principal: Principal, id: string): Promise<AlertRow> {
  const row = await env.DB.prepare("SELECT * FROM alerts WHERE id = ?").bind(id.slice(0, 128)).first<AlertRow>();
  if (!row) throw new ProblemError(404, "Not Found", `No alert ${id.slice(0, 128)}.`);
  if (principal.role === "team-owner" && row.team !== principal.team) throw new ProblemError(404, "Not Found", `No alert ${id.slice(0, 128)}.`);
  return row;
}

/** The columns each closing action stamps; resolving also acknowledges (first stamp wins). */
const CLOSE_COLUMNS = {
  ack: ["acknowledged"],
  resolve: ["acknowledged", "resolved"],
} as const;

/** Acknowledges or resolves an alert (and acknowledges its incident), audited; returns the alert. */
async function closeAlert(env: Env, principal: Principal, id: string, action: keyof typeof CLOSE_COLUMNS, note?: string) {
  const row = await alertFor(env, principal, id);
  const at = nowIso();
  const sets = CLOSE_COLUMNS[action].map((c) => `${c}_at = COALESCE(${c}_at, ?), ${c}_by = COALESCE(${c}_by, ?)`).join(", ");
  const args = CLOSE_COLUMNS[action].flatMap(() => [at, principal.sub]);
  await env.DB.prepare(`UPDATE alerts SET ${sets} WHERE id = ?`).bind(...args, row.id).run();
  if (row.incident_id) await acknowledge(env, row.incident_id, principal.sub, note);
  await audit(env, { actor: principal.sub, action: `alert.${action}`, resource: `alerts/${row.id}`, detail: note ? { note } : undefined });
  return alertView((await env.DB.prepare("SELECT * FROM alerts WHERE id = ?").bind(row.id).first<AlertRow>())!);
}

/** Acknowledging an incident's alert acknowledges the incident (its first acknowledgement counts). */
async function acknowledge(env: Env, incidentId: string, actor: string, note?: string): Promise<void> {
  await updateIncident(env, incidentId, { acknowledged_at: nowIso() });
  await addStep(env, incidentId, "acknowledge", { outcome: "ok", inputs: { by: actor }, detail: note ? { note } : {} });
}

export const operationsRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "get", path: "/alerts", tag: "operations",
    summary: "Alerts (query: kind, severity, team, state=open|closed|all, since, limit)",
    roles: ["finance", "auditor", "team-owner"],
    handler: async ({ env, query, principal }) => {
      const q = parseQuery(AlertQuery, query);
      const team = principal.role === "team-owner" ? principal.team : q.team;
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.kind) (where.push("kind = ?"), args.push(q.kind));
      if (q.severity) (where.push("severity = ?"), args.push(q.severity));
      if (team) (where.push("team = ?"), args.push(team));
      if (q.state === "open") where.push("resolved_at IS NULL");
      if (q.state === "closed") where.push("resolved_at IS NOT NULL");
      if (q.since) (where.push("ts >= ?"), args.push(q.since));
      const rows = await env.DB.prepare(`SELECT * FROM alerts ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ts DESC LIMIT ?`).bind(...args, q.limit).all<AlertRow>();
      return { data: rows.results.map(alertView) };
    },
  }),
  adminRoute({
    method: "post", path: "/alerts/:id/ack", tag: "operations",
    summary: "Acknowledge an alert (and its incident)",
    roles: ["finance", "team-owner"], body: AlertNote,
    handler: ({ env, params, principal, body }) => closeAlert(env, principal, params.id, "ack", body.note),
  }),
  adminRoute({
    method: "post", path: "/alerts/:id/resolve", tag: "operations",
    summary: "Close an alert (a runbook-owned incident still resolves on its own signal)",
    roles: ["finance", "team-owner"], body: AlertNote,
    handler: ({ env, params, principal, body }) => closeAlert(env, principal, params.id, "resolve", body.note),
  }),
  adminRoute({
    method: "get", path: "/incidents/metrics", tag: "operations",
    summary: "Monthly MTTD/MTTR per incident type (query: since, include_drills)",
    roles: ["finance", "auditor", "team-owner"],
    handler: async ({ env, query, principal }) => {
      const q = parseQuery(MetricsQuery, query);
      const where = [q.include_drills === "true" ? "1 = 1" : "drill = 0"];
      const args: unknown[] = [];
      if (q.since) (where.push("started_at >= ?"), args.push(q.since));
      if (principal.role === "team-owner") (where.push("team = ?"), args.push(principal.team));
      const rows = await env.DB.prepare(`SELECT kind, started_at, detected_at, acknowledged_at, mitigated_at, resolved_at FROM incidents WHERE ${where.join(" AND ")}`)
        .bind(...args).all<Timeline & { kind: string }>();
      return { data: monthlyFigures(rows.results) };
    },
  }),
  adminRoute({
    method: "get", path: "/incidents", tag: "operations",
    summary: "Incidents with timeline and MTTD/MTTR (query: kind, status, team, since, drill, limit)",
    roles: ["finance", "auditor", "team-owner"],
    handler: async ({ env, query, principal }) => {
      const q = parseQuery(IncidentQuery, query);
      const team = principal.role === "team-owner" ? principal.team : q.team;
      const rows = await listIncidents(env, { ...q, team, drill: q.drill === undefined ? undefined : q.drill === "true" });
      return { data: rows.map(incidentView) };
    },
  }),
  adminRoute({
    method: "get", path: "/incidents/:id", tag: "operations",
    summary: "One incident: timeline, diagnosis, every runbook step, its alerts",
    roles: ["finance", "auditor", "team-owner"],
    // Incidents live in the zone that detected them: found in whichever region has it (`?region=` asks one).
    spansRegions: { find: true },
    handler: async ({ env, params, principal }) => {
      const inc = await incidentDetail(env, String(params.id).slice(0, 128));
      if (!inc || (principal.role === "team-owner" && inc.team !== principal.team)) throw new ProblemError(404, "Not Found", `No incident ${String(params.id).slice(0, 128)}.`);
      return inc;
    },
  }),
  adminRoute({
    method: "post", path: "/incidents/:id/ack", tag: "operations",
    summary: "Acknowledge an incident",
    roles: ["finance", "team-owner"], body: AlertNote,
    handler: async ({ env, params, principal, body }) => {
      const inc = await incidentDetail(env, String(params.id).slice(0, 128));
      if (!inc || (principal.role === "team-owner" && inc.team !== principal.team)) throw new ProblemError(404, "Not Found", `No incident ${String(params.id).slice(0, 128)}.`);
      await acknowledge(env, inc.id, principal.sub, body.note);
      await env.DB.prepare("UPDATE alerts SET acknowledged_at = COALESCE(acknowledged_at, ?), acknowledged_by = COALESCE(acknowledged_by, ?) WHERE incident_id = ?").bind(nowIso(), principal.sub, inc.id).run();
      await audit(env, { actor: principal.sub, action: "incident.ack", resource: `incidents/${inc.id}` });
      return incidentDetail(env, inc.id);
    },
  }),
  adminRoute({
    method: "get", path: "/runbooks", tag: "operations",
    summary: "The runbooks and what each may do on its own",
    roles: "any",
    handler: async () => ({ data: Object.values(runbooks).map((r) => ({ kind: r.kind, autonomy: r.autonomy, steps: ["detect", "diagnose", "remediate", "verify", "escalate", "resolve"] })) }),
  }),
  adminRoute({
    method: "post", path: "/runbooks/run", tag: "operations",
    summary: "Run every runbook's detection pass now (what the */5 cron does)",
    roles: [],
    handler: async ({ env }) => ({ data: await runDetection(env, Date.now()) }),
  }),
  adminRoute({
    method: "post", path: "/runbooks/:kind/drill", tag: "operations",
    summary: "Run a runbook against a synthetic fault; recorded as a drill incident",
    roles: [], body: Drill, status: 201,
    handler: async ({ env, params, principal, body }) => {
      const runbook = runbooks[String(params.kind)];
      if (!runbook) throw new ProblemError(404, "Not Found", `No runbook ${String(params.kind).slice(0, 64)}; known: ${Object.keys(runbooks).join(", ")}.`);
      const id = await runDrill({ env, now: Date.now(), drill: true, actor: `${principal.sub}:drill` }, runbook, body);
      await audit(env, { actor: principal.sub, action: "runbook.drill", resource: `incidents/${id}`, detail: { kind: runbook.kind, ...body } });
      return incidentDetail(env, id);
    },
  }),
  adminRoute({
    method: "get", path: "/operations/policies/:team", tag: "operations",
    summary: "The team's operations policy (defaults when unset)",
    roles: ["finance", "auditor", "team-owner"],
    handler: async ({ env, params, principal }) => {
      const team = parseResourceId({ id: params.team });
      requireTeamAccess(principal, team);
      const row = await env.DB.prepare("SELECT spec, updated_at FROM ops_policies WHERE team = ?").bind(team).first<{ spec: string; updated_at: string }>();
      return { team, ...OpsPolicy.parse(row ? JSON.parse(row.spec) : {}), updated_at: row?.updated_at ?? null };
    },
  }),
  adminRoute({
    method: "put", path: "/operations/policies/:team", tag: "operations",
    summary: "Set what runbooks and tuning may do on their own for a team",
    roles: [], body: OpsPolicy,
    handler: async ({ env, params, principal, body }) => {
      const team = parseResourceId({ id: params.team });
      if (!(await configDb(env).prepare("SELECT 1 AS x FROM teams WHERE id = ?").bind(team).first())) throw new ProblemError(404, "Not Found", `No team ${team}.`);
      const ts = nowIso();
      await env.DB.prepare("INSERT INTO ops_policies (team, spec, updated_at) VALUES (?, ?, ?) ON CONFLICT(team) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at")
        .bind(team, JSON.stringify(body), ts).run();
      await audit(env, { actor: principal.sub, action: "ops_policy.put", resource: `operations/policies/${team}`, detail: body });
      return { team, ...body, updated_at: ts };
    },
  }),
];
