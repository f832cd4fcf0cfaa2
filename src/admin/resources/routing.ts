/**
 * @module
 * Admin resources of the routing capability: versioned routing rules per team and workload
 * (every PUT, DELETE and rollback appends a version with author, time and diff), the shared
 * provider-health view, and failover drills (results, and "run one now").
 */
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { ResourceId } from "../../config/schemas";
import { db, nowIso, schema, writeConfig } from "../../config/store";
import { configDb } from "../../config/control-db";
import { routingRules, failoverDrills } from "../../db/routing-schema";
import type { Env } from "../../env";
import { ProblemError } from "../../errors/problem";
import { runFailoverDrills } from "../../routing/drills";
import { healthView } from "../../routing/health";
import { RoutingRulePut, RuleScope, diffRules, type RoutingRulePut as RulePut } from "../../routing/rules";
import { requireTeamAccess, type Principal } from "../auth";
import { adminRoute, type AdminContext, type AdminRoute } from "../router";
import { parseResourceId } from "./catalog";

type RuleRow = typeof routingRules.$inferSelect;

function ruleView(row: RuleRow) {
  return {
    scope: row.scope, subject: row.subject, version: row.version, action: row.action,
    rule: row.spec === null ? null : (JSON.parse(row.spec) as RulePut),
    author: row.author, created_at: row.createdAt, diff: JSON.parse(row.diff) as unknown, restored_from: row.restoredFrom,
  };
}

function scopeOf(params: Record<string, string>): { scope: RuleScope; subject: string } {
  const scope = RuleScope.safeParse(params.scope);
  if (!scope.success) throw new ProblemError(400, "Invalid Scope", `Scope must be "team" or "workload", got "${String(params.scope).slice(0, 40)}".`);
  return { scope: scope.data, subject: parseResourceId({ id: params.subject }) };
}

/** The team a rule belongs to (for team-owner access), or 404/422 when the subject does not exist. */
async function teamOfSubject(env: Env, scope: RuleScope, subject: string, status: 404 | 422): Promise<string> {
  if (scope === "team") {
    const t = await db(env).select({ id: schema.teams.id }).from(schema.teams).where(eq(schema.teams.id, subject)).get();
    if (!t) throw new ProblemError(status, status === 404 ? "Not Found" : "Unknown Team", `No team ${subject}.`);
    return t.id;
  }
  const w = await db(env).select({ team: schema.workloads.team }).from(schema.workloads).where(eq(schema.workloads.id, subject)).get();
  if (!w) throw new ProblemError(status, status === 404 ? "Not Found" : "Unknown Workload", `No workload ${subject}.`);
  return w.team;
}

async function latest(env: Env, scope: RuleScope, subject: string): Promise<RuleRow | undefined> {
  return db(env).select().from(routingRules).where(and(eq(routingRules.scope, scope), eq(routingRules.subject, subject))).orderBy(desc(routingRules.version)).limit(1).get();
}

/** Appends a version in the same batch as the config-version bump and the audit row. */
async function appendVersion(
  c: AdminContext<unknown>, scope: RuleScope, subject: string, spec: RulePut | null, action: "put" | "delete" | "rollback", restoredFrom?: number,
) {
  const prev = await latest(c.env, scope, subject);
  const before = prev?.spec ? (JSON.parse(prev.spec) as unknown) : null;
  const row = {
    scope, subject, version: (prev?.version ?? 0) + 1, spec: spec === null ? null : JSON.stringify(spec),
    author: c.principal.sub, createdAt: nowIso(), action, diff: JSON.stringify(diffRules(before, spec)), restoredFrom: restoredFrom ?? null,
  };
  try {
    await writeConfig(c.env, [db(c.env).insert(routingRules).values(row)], {
      actor: c.principal.sub, action: `routing_rule.${action}`, resource: `routing-rules/${scope}/${subject}@v${row.version}`,
      detail: { diff: JSON.parse(row.diff) as unknown, ...(restoredFrom ? { restored_from: restoredFrom } : {}) },
    });
  } catch (err) {
    // Two writers raced for the same version number: the unique index refused the second.
    if (String((err as Error)?.message ?? "").includes("UNIQUE") || String((err as Error)?.cause ?? "").includes("UNIQUE")) {
      throw new ProblemError(409, "Concurrent Change", `Rule ${scope}/${subject} changed meanwhile; read it again and retry.`);
    }
    throw err;
  }
  return ruleView({ id: 0, ...row });
}

async function checkProviders(env: Env, spec: RulePut): Promise<void> {
  const named = [...(spec.pin ?? []), ...(spec.exclude ?? []), ...Object.keys(spec.prefer ?? {})];
  if (named.length === 0) return;
  const known = new Set((await db(env).select({ id: schema.providers.id }).from(schema.providers).all()).map((p) => p.id));
  const unknown = [...new Set(named)].filter((p) => !known.has(p));
  if (unknown.length) throw new ProblemError(422, "Unknown Provider", `The rule names providers that do not exist: ${unknown.join(", ")}.`);
}

async function authorize(c: { env: Env; principal: Principal }, scope: RuleScope, subject: string, status: 404 | 422): Promise<void> {
  requireTeamAccess(c.principal, await teamOfSubject(c.env, scope, subject, status));
}

const Rollback = z.object({ version: z.number().int().min(1) }).strict();
const DrillRun = z
  .object({
    model: ResourceId.optional(),
    recovery_bound_ms: z.number().int().min(100).max(600_000).optional(),
    attempt_timeout_ms: z.number().int().min(10).max(60_000).optional(),
  })
  .strict();

export const routingRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "get", path: "/routing/rules", tag: "routing", summary: "Routing rules in force (latest version of each)", roles: ["auditor", "finance", "team-owner"],
    handler: async ({ env, principal }) => {
      const rows = await configDb(env).prepare(
        "SELECT r.* FROM routing_rules r JOIN (SELECT scope, subject, MAX(version) AS v FROM routing_rules GROUP BY scope, subject) m ON r.scope = m.scope AND r.subject = m.subject AND r.version = m.v WHERE r.spec IS NOT NULL ORDER BY r.scope, r.subject",
      ).all<Record<string, string | number | null>>();
      const data = rows.results.map((r) => ruleView({
        id: Number(r.id), scope: String(r.scope), subject: String(r.subject), version: Number(r.version), spec: r.spec as string | null, author: String(r.author),
        createdAt: String(r.created_at), action: String(r.action), diff: String(r.diff), restoredFrom: r.restored_from === null ? null : Number(r.restored_from),
      }));
      if (principal.role !== "team-owner") return { data };
      const own = new Set((await db(env).select({ id: schema.workloads.id }).from(schema.workloads).where(eq(schema.workloads.team, principal.team!)).all()).map((w) => w.id));
      return { data: data.filter((r) => (r.scope === "team" ? r.subject === principal.team : own.has(r.subject))) };
    },
  }),
  adminRoute({
    method: "get", path: "/routing/rules/:scope/:subject", tag: "routing", summary: "The routing rule in force for a team or workload", roles: ["auditor", "finance", "team-owner"],
    handler: async (c) => {
      const { scope, subject } = scopeOf(c.params);
      await authorize(c, scope, subject, 404);
      const row = await latest(c.env, scope, subject);
      if (!row || row.spec === null) throw new ProblemError(404, "Not Found", `No routing rule for ${scope} ${subject}.`);
      return ruleView(row);
    },
  }),
  adminRoute({
    method: "get", path: "/routing/rules/:scope/:subject/versions", tag: "routing", summary: "Every version of a routing rule, newest first, with author, time and diff", roles: ["auditor", "finance", "team-owner"],
    handler: async (c) => {
      const { scope, subject } = scopeOf(c.params);
      await authorize(c, scope, subject, 404);
      const rows = await db(c.env).select().from(routingRules).where(and(eq(routingRules.scope, scope), eq(routingRules.subject, subject))).orderBy(desc(routingRules.version)).all();
      return { data: rows.map(ruleView) };
    },
  }),
  adminRoute({
    method: "put", path: "/routing/rules/:scope/:subject", tag: "routing", summary: "Set the routing rule of a team or workload (appends a version)", roles: ["team-owner"], body: RoutingRulePut,
    handler: async (c) => {
      const { scope, subject } = scopeOf(c.params);
      await authorize(c, scope, subject, 422);
      await checkProviders(c.env, c.body);
      return appendVersion(c, scope, subject, c.body, "put");
    },
  }),
  adminRoute({
    method: "delete", path: "/routing/rules/:scope/:subject", tag: "routing", summary: "Remove a routing rule (appends a deleting version; roll back to restore)", roles: ["team-owner"],
    handler: async (c) => {
      const { scope, subject } = scopeOf(c.params);
      await authorize(c, scope, subject, 404);
      const prev = await latest(c.env, scope, subject);
      if (!prev || prev.spec === null) throw new ProblemError(404, "Not Found", `No routing rule for ${scope} ${subject}.`);
      return appendVersion(c, scope, subject, null, "delete");
    },
  }),
  adminRoute({
    method: "post", path: "/routing/rules/:scope/:subject/rollback", tag: "routing", summary: "Restore an earlier version (appends a new version with its content)", roles: ["team-owner"], body: Rollback,
    handler: async (c) => {
      const { scope, subject } = scopeOf(c.params);
      await authorize(c, scope, subject, 404);
      const target = await db(c.env).select().from(routingRules)
        .where(and(eq(routingRules.scope, scope), eq(routingRules.subject, subject), eq(routingRules.version, c.body.version))).get();
      if (!target) throw new ProblemError(404, "Not Found", `Rule ${scope}/${subject} has no version ${c.body.version}.`);
      const spec = target.spec === null ? null : RoutingRulePut.parse(JSON.parse(target.spec));
      return appendVersion(c, scope, subject, spec, "rollback", target.version);
    },
  }),
  adminRoute({
    method: "get", path: "/providers/:id/health", tag: "routing", summary: "Circuit state, error rate and latency of a provider in this region (shared view and this isolate's)", roles: ["auditor", "finance"],
    handler: async ({ env, params }) => {
      const provider = parseResourceId(params);
      const shared = await env.PROVIDER_HEALTH.get(env.PROVIDER_HEALTH.idFromName(`${provider}@${env.REGION}`)).snapshot();
      return { provider, region: env.REGION, shared, isolate: healthView(provider, env.REGION, Date.now()) };
    },
  }),
  adminRoute({
    method: "post", path: "/providers/:id/health/reset", tag: "routing", summary: "Close the shared circuit of a provider and forget its history", roles: [],
    handler: async ({ env, params, principal }) => {
      const provider = parseResourceId(params);
      const shared = await env.PROVIDER_HEALTH.get(env.PROVIDER_HEALTH.idFromName(`${provider}@${env.REGION}`)).reset();
      await db(env).insert(schema.auditLog).values({ ts: nowIso(), actor: principal.sub, action: "provider.health_reset", resource: `providers/${provider}`, detail: null });
      return { provider, region: env.REGION, shared };
    },
  }),
  adminRoute({
    method: "get", path: "/failover-drills", tag: "routing", summary: "Failover drill results, newest first (query: model, limit)", roles: ["auditor"],
    handler: async ({ env, query }) => {
      const limit = Math.min(Math.max(Number(query.get("limit") ?? 100) || 100, 1), 1000);
      const model = query.get("model");
      const q = db(env).select().from(failoverDrills);
      const rows = await (model ? q.where(eq(failoverDrills.model, model)) : q).orderBy(desc(failoverDrills.ts)).limit(limit).all();
      return {
        data: rows.map((r) => ({
          id: r.id, ts: r.ts, model: r.model, provider: r.provider, fallback_provider: r.fallbackProvider, fault: r.fault,
          rerouted: r.rerouted === 1, fallback_ok: r.fallbackOk === 1, recovery_ms: r.recoveryMs, recovery_bound_ms: r.recoveryBoundMs,
          verdict: r.verdict, trigger: r.trigger, detail: r.detail ? (JSON.parse(r.detail) as unknown) : null,
        })),
      };
    },
  }),
  adminRoute({
    method: "post", path: "/failover-drills/run", tag: "routing", summary: "Run failover drills now (every provider group, or one model)", roles: [], body: DrillRun,
    handler: async ({ env, body, principal }) => ({ data: await runFailoverDrills(env, { model: body.model, trigger: `admin:${principal.sub}`, recoveryBoundMs: body.recovery_bound_ms, attemptTimeoutMs: body.attempt_timeout_ms }) }),
  }),
];
