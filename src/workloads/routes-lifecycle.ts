/**
 * @module
 * Admin routes for lifecycle transitions (`/workloads/{id}/transitions`), quality trends
 * (`/workloads/{id}/quality`) and the human review queue (`/reviews`). A transition is checked
 * against ./lifecycle.ts; one that needs a second person stays pending until someone else
 * approves it. Applying one is a config write (the data plane sees it within seconds); a
 * decommission also revokes keys, archives datasets and releases the workload's budget.
 */
import { and, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { adminRoute, type AdminContext, type AdminRoute } from "../admin/router";
import { Lifecycle } from "../config/schemas";
import { db, nowIso, schema, writeConfig, zoneDb } from "../config/store";
import { datasets, evalResults, evalRuns, evalSamples, workloadTransitions } from "../db/workloads-schema";
import type { Env } from "../env";
import { ProblemError } from "../errors/problem";
import { datasetRow } from "./dataset-store";
import { checkTransition, mayApprove, type TransitionFacts } from "./lifecycle";
import { dailyTrend, detectRegression, loadScores } from "./quality";
import { ownedWorkload } from "./routes-datasets";
import { DEFAULT_REGRESSION_MARGIN } from "./settings";

const TransitionCreate = z
  .object({
    to: Lifecycle,
    reason: z.string().min(1).max(2_000),
    sunset_at: z.iso.datetime({ offset: true }).optional(),
    migration_plan: z.string().min(1).max(4_000).optional(),
  })
  .strict();
type TransitionCreate = z.infer<typeof TransitionCreate>;

type TransitionRow = typeof workloadTransitions.$inferSelect;

function transitionView(r: TransitionRow) {
  return {
    id: r.id, workload: r.workload, from: r.fromState, to: r.toState, reason: r.reason, status: r.status,
    requested_by: r.requestedBy, approved_by: r.approvedBy, created_at: r.createdAt, decided_at: r.decidedAt, detail: JSON.parse(r.detail) as unknown,
  };
}

/** Latest adversarial run of a workload and how far it got. */
async function adversarialFacts(env: Env, workload: string): Promise<TransitionFacts["adversarial"]> {
  const run = await db(env).select().from(evalRuns).where(and(eq(evalRuns.workload, workload), eq(evalRuns.suite, "adversarial"))).orderBy(desc(evalRuns.createdAt)).get();
  if (!run) return undefined;
  const rows = await db(env).select({ status: evalResults.status }).from(evalResults).where(eq(evalResults.runId, run.id)).all();
  return { run: run.id, complete: rows.length >= run.total, pass_rate: rows.length ? rows.filter((r) => r.status === "pass").length / rows.length : 0 };
}

/** Applies a checked transition: one config write with the workload, the history row and any reclaiming. */
async function applyTransition(env: Env, t: TransitionRow, actor: string): Promise<Record<string, unknown>> {
  const d = db(env);
  const row = await d.select().from(schema.workloads).where(eq(schema.workloads.id, t.workload)).get();
  if (!row) throw new ProblemError(404, "Not Found", `No workload ${t.workload}.`);
  if (row.lifecycle !== t.fromState) throw new ProblemError(409, "Stale Transition", `Workload ${t.workload} is ${row.lifecycle} now, not ${t.fromState}; request the transition again.`);
  const spec = JSON.parse(row.spec) as Record<string, unknown>;
  const detail = JSON.parse(t.detail) as Record<string, unknown>;
  spec.lifecycle = t.toState;
  if (t.toState === "deprecated") Object.assign(spec, { sunset_at: detail.sunset_at, migration_plan: detail.migration_plan });
  if (t.toState === "production") delete spec.sunset_at;
  const ts = nowIso();
  const writes = [];
  const reclaimed: Record<string, unknown> = {};
  if (t.toState === "decommissioned") {
    // Keys stop at once; datasets are archived (kept, read-only); the workload's budget is released to its team.
    const limits = spec.limits as { budget_usd?: number } | undefined;
    reclaimed.released_budget_usd = limits?.budget_usd ?? null;
    delete spec.limits;
    delete spec.sampling;
    writes.push(d.update(schema.apiKeys).set({ revokedAt: ts }).where(and(eq(schema.apiKeys.workload, t.workload), isNull(schema.apiKeys.revokedAt))));
    writes.push(d.update(datasets).set({ archivedAt: ts }).where(and(eq(datasets.workload, t.workload), isNull(datasets.archivedAt))));
    reclaimed.logs = "kept per tier retention (30/90/365 days), then purged by the daily job";
  }
  const decided = { ...detail, ...(Object.keys(reclaimed).length ? { reclaimed } : {}) };
  writes.push(d.update(schema.workloads).set({ lifecycle: t.toState, spec: JSON.stringify(spec), updatedAt: ts }).where(eq(schema.workloads.id, t.workload)));
  writes.push(d.update(workloadTransitions).set({ status: "applied", approvedBy: actor === t.requestedBy ? null : actor, decidedAt: ts, detail: JSON.stringify(decided) }).where(eq(workloadTransitions.id, t.id)));
  await writeConfig(env, writes as Parameters<typeof writeConfig>[1], { actor, action: "workload.transition", resource: `workloads/${t.workload}`, detail: { transition: t.id, from: t.fromState, to: t.toState } });
  return decided;
}

async function requestTransition(c: AdminContext<TransitionCreate>): Promise<unknown> {
  const { row, spec } = await ownedWorkload(c, String(c.params.id));
  const from = Lifecycle.parse(row.lifecycle);
  const ds = await datasetRow(c.env, row.id);
  const check = checkTransition({
    from, to: c.body.to, settings: spec, now: Date.now(), sunset_at: c.body.sunset_at, migration_plan: c.body.migration_plan,
    dataset: ds && !ds.archivedAt ? { version: ds.version, examples: ds.examples, coverage: ds.coverage } : undefined,
    adversarial: c.body.to === "production" ? await adversarialFacts(c.env, row.id) : undefined,
  });
  if (!check.allowed) {
    throw new ProblemError(422, "Transition Criteria Not Met", `${row.id}: ${from} → ${c.body.to} needs ${check.missing.join("; ")}.`, check.missing.map((m) => ({ path: "to", message: m })));
  }
  const t: TransitionRow = {
    id: `tr_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`, workload: row.id, fromState: from, toState: c.body.to, reason: c.body.reason,
    requestedBy: c.principal.sub, approvedBy: null, status: "pending", createdAt: nowIso(), decidedAt: null,
    detail: JSON.stringify({ criteria: check.criteria, needs_approval: check.needs_approval, ...(c.body.to === "deprecated" ? { sunset_at: check.criteria.sunset_at, migration_plan: check.criteria.migration_plan } : {}) }),
  };
  await db(c.env).insert(workloadTransitions).values(t);
  if (check.needs_approval) return new Response(JSON.stringify(transitionView(t)), { status: 202, headers: { "content-type": "application/json" } });
  const detail = await applyTransition(c.env, t, c.principal.sub);
  return new Response(JSON.stringify(transitionView({ ...t, status: "applied", decidedAt: nowIso(), detail: JSON.stringify(detail) })), { status: 201, headers: { "content-type": "application/json" } });
}

const Grade = z.object({ score: z.number().min(0).max(1), note: z.string().max(2_000).optional() }).strict();

export const lifecycleRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "post", path: "/workloads/:id/transitions", tag: "workloads", roles: ["team-owner"], body: TransitionCreate,
    summary: "Request a lifecycle transition (checked against its criteria; production and decommissioned need a second person's approval)",
    handler: requestTransition,
  }),
  adminRoute({
    method: "get", path: "/workloads/:id/transitions", tag: "workloads", roles: ["auditor", "team-owner"], summary: "Transition history with requesters and approvers",
    handler: async (c) => {
      const { row } = await ownedWorkload(c, String(c.params.id));
      const rows = await db(c.env).select().from(workloadTransitions).where(eq(workloadTransitions.workload, row.id)).orderBy(desc(workloadTransitions.createdAt)).all();
      return { lifecycle: row.lifecycle, data: rows.map(transitionView) };
    },
  }),
  adminRoute({
    method: "post", path: "/workloads/:id/transitions/:tid/approve", tag: "workloads", roles: ["team-owner"],
    summary: "Approve a pending transition (by someone other than its requester); criteria are checked again",
    handler: async (c) => {
      const { row, spec } = await ownedWorkload(c, String(c.params.id));
      const t = await db(c.env).select().from(workloadTransitions).where(and(eq(workloadTransitions.id, String(c.params.tid).slice(0, 64)), eq(workloadTransitions.workload, row.id))).get();
      if (!t) throw new ProblemError(404, "Not Found", `No transition ${c.params.tid} for workload ${row.id}.`);
      if (t.status !== "pending") throw new ProblemError(409, "Not Pending", `Transition ${t.id} is ${t.status}.`);
      if (!mayApprove(t.requestedBy, c.principal.sub)) throw new ProblemError(403, "Second Person Required", `${c.principal.sub} requested this transition and cannot approve it.`);
      const ds = await datasetRow(c.env, row.id);
      const recheck = checkTransition({
        from: Lifecycle.parse(row.lifecycle), to: Lifecycle.parse(t.toState), settings: spec, now: Date.now(),
        dataset: ds && !ds.archivedAt ? { version: ds.version, examples: ds.examples, coverage: ds.coverage } : undefined,
        adversarial: t.toState === "production" ? await adversarialFacts(c.env, row.id) : undefined,
      });
      if (!recheck.allowed) throw new ProblemError(422, "Transition Criteria Not Met", `No longer met: ${recheck.missing.join("; ")}.`);
      const detail = await applyTransition(c.env, t, c.principal.sub);
      return transitionView({ ...t, status: "applied", approvedBy: c.principal.sub, decidedAt: nowIso(), detail: JSON.stringify(detail) });
    },
  }),
  adminRoute({
    method: "get", path: "/workloads/:id/quality", tag: "evaluations", roles: ["auditor", "team-owner"],
    summary: "Daily quality trend from production samples (?days=30) and the regression test against the baseline",
    handler: async (c) => {
      const { row, spec } = await ownedWorkload(c, String(c.params.id));
      const days = Math.min(365, Math.max(1, Number(c.query.get("days") ?? 30) || 30));
      const now = Date.now();
      const samples = await loadScores(c.env, row.id, new Date(now - days * 86_400_000).toISOString().slice(0, 10));
      const margin = spec.sampling?.regression_margin ?? DEFAULT_REGRESSION_MARGIN;
      return {
        workload: row.id, days, sampling: spec.sampling ?? null, trend: dailyTrend(samples),
        regression: detectRegression(samples, new Date(now - 86_400_000).toISOString().slice(0, 10), margin),
      };
    },
  }),
  adminRoute({
    method: "get", path: "/reviews", tag: "evaluations", roles: ["auditor", "team-owner"], summary: "Human review queue (?workload=, ?status=pending|graded)",
    handler: async (c) => {
      const workload = c.query.get("workload");
      if (workload) await ownedWorkload(c, workload);
      else if (c.principal.role === "team-owner") throw new ProblemError(400, "Workload Required", "Team owners list reviews per workload (?workload=).");
      const status = c.query.get("status") === "graded" ? "graded" : "pending";
      const where = workload ? and(eq(evalSamples.review, status), eq(evalSamples.workload, workload)) : eq(evalSamples.review, status);
      const rows = await zoneDb(c.env).select().from(evalSamples).where(where).orderBy(desc(evalSamples.ts)).limit(100).all();
      return {
        data: rows.map((r) => ({
          id: r.requestId, workload: r.workload, ts: r.ts, data_class: r.dataClass, automated_score: r.score, human_score: r.humanScore, reviewer: r.reviewer,
          pair: r.pair ? (JSON.parse(r.pair) as unknown) : null, detail: r.detail ? (JSON.parse(r.detail) as unknown) : null,
        })),
      };
    },
  }),
  adminRoute({
    method: "post", path: "/reviews/:id", tag: "evaluations", roles: ["team-owner"], body: Grade, summary: "Grade a sample (0–1); the grade counts in the quality trend",
    handler: async (c) => {
      const id = String(c.params.id).slice(0, 128);
      const s = await zoneDb(c.env).select().from(evalSamples).where(eq(evalSamples.requestId, id)).get();
      if (!s) throw new ProblemError(404, "Not Found", `No sample ${id}.`);
      await ownedWorkload(c, s.workload);
      if (s.review === "none") throw new ProblemError(409, "Not In Review", `Sample ${id} was not routed to review.`);
      const detail = { ...(s.detail ? (JSON.parse(s.detail) as Record<string, unknown>) : {}), ...(c.body.note ? { review_note: c.body.note } : {}) };
      await zoneDb(c.env).update(evalSamples).set({ review: "graded", humanScore: c.body.score, reviewer: c.principal.sub, reviewedAt: nowIso(), detail: JSON.stringify(detail) }).where(eq(evalSamples.requestId, id));
      return { id, human_score: c.body.score, reviewer: c.principal.sub };
    },
  }),
];
