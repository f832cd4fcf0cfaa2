/**
 * @module
 * Score history: a snapshot stores the assessment's scores and each criterion's status. A
 * snapshot scoring lower than the one before opens an investigation (one per snapshot, enforced
 * by a unique index, so a retried cron cannot open two) and raises an alert.
 */
import { desc, eq, lt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { configDb } from "../config/control-db";
import { audit, nowIso } from "../config/store";
import * as m from "../db/maturity-schema";
import type { Env } from "../env";
import { ProblemError } from "../errors/problem";
import { raiseAlert } from "../operations/alerts";
import { assess } from "./assess";
import { gatherFacts, type FactsCaller } from "./gather-facts";
import { syncRecommendations } from "./recommendations";
import type { Assessment, CriterionStatus, Score } from "./types";

export type SnapshotTrigger = "cron:quarterly" | "manual";

export interface SnapshotView extends Score {
  id: string;
  taken_at: string;
  trigger: string;
  by_layer: Record<string, number>;
}

export interface Regression {
  from: number;
  to: number;
  /** Criteria met in the previous snapshot and not met now. */
  regressed: string[];
}

/** "2027-Q1" for a time in January–March 2027. */
export const quarterOf = (t: number): string => `${new Date(t).getUTCFullYear()}-Q${Math.floor(new Date(t).getUTCMonth() / 3) + 1}`;

const mdb = (env: Pick<Env, "DB" | "CONTROL_DB">) => drizzle(configDb(env));

/**
 * The stored form of an assessment: scores, percent per layer, status per criterion.
 * @example snapshotOf(assessment).statuses["l2.failover-drills-monthly"] // "met"
 */
export function snapshotOf(a: Assessment): Score & { byLayer: Record<string, number>; statuses: Record<string, CriterionStatus> } {
  return {
    ...a.score,
    byLayer: Object.fromEntries(a.layers.map((l) => [l.id, l.score.percent])),
    statuses: Object.fromEntries(a.layers.flatMap((l) => l.criteria.map((c) => [c.id, c.status]))),
  };
}

/**
 * A decrease between two snapshots, or undefined when the score held or rose.
 * @example regressionBetween({ percent: 60, statuses: { a: "met" } }, { percent: 50, statuses: { a: "not_met" } }) // { from: 60, to: 50, regressed: ["a"] }
 */
export function regressionBetween(
  previous: { percent: number; statuses: Record<string, string> },
  current: { percent: number; statuses: Record<string, string> },
): Regression | undefined {
  if (current.percent >= previous.percent) return undefined;
  const regressed = Object.keys(previous.statuses).filter((id) => previous.statuses[id] === "met" && current.statuses[id] !== "met").sort();
  return { from: previous.percent, to: current.percent, regressed };
}

function view(r: typeof m.maturitySnapshots.$inferSelect): SnapshotView {
  return {
    id: r.id, taken_at: r.takenAt, trigger: r.trigger, percent: r.percent, met: r.met, not_met: r.notMet,
    not_applicable: r.notApplicable, total: r.total, by_layer: JSON.parse(r.byLayer) as Record<string, number>,
  };
}

/**
 * Assesses now, stores the snapshot, opens an investigation (and alerts) on a decrease, and
 * refreshes the recommendations.
 * @example const snap = await takeSnapshot(env, { trigger: "manual", actor: "alice", now: Date.now() });
 */
export async function takeSnapshot(env: Env, opts: { trigger: SnapshotTrigger; actor: string; now: number; caller?: FactsCaller }): Promise<SnapshotView & { investigation_id?: string }> {
  // No caller (the quarterly cron): the zone facts of the other regions are read as the system.
  const assessment = assess(await gatherFacts(env, opts.now, opts.caller));
  const s = snapshotOf(assessment);
  const takenAt = new Date(opts.now).toISOString();
  // Every regional edge fires the quarterly cron: the quarter's id lets only the first one record.
  const id = opts.trigger === "cron:quarterly" ? `mat_${quarterOf(opts.now)}` : `mat_${takenAt.slice(0, 10)}_${crypto.randomUUID().slice(0, 8)}`;
  const row = {
    id, takenAt, trigger: opts.trigger, percent: s.percent, met: s.met, notMet: s.not_met,
    notApplicable: s.not_applicable, total: s.total, byLayer: JSON.stringify(s.byLayer), statuses: JSON.stringify(s.statuses),
  };
  const d = mdb(env);
  const previous = await d.select().from(m.maturitySnapshots).where(lt(m.maturitySnapshots.takenAt, takenAt)).orderBy(desc(m.maturitySnapshots.takenAt)).limit(1).get();
  const inserted = await d.insert(m.maturitySnapshots).values(row).onConflictDoNothing().returning({ id: m.maturitySnapshots.id }).all();
  if (!inserted.length) return view((await d.select().from(m.maturitySnapshots).where(eq(m.maturitySnapshots.id, id)).get())!);
  await audit(env, { actor: opts.actor, action: "maturity.snapshot", resource: `maturity/snapshots/${row.id}`, detail: { percent: s.percent, met: s.met, total: s.total } });
  await syncRecommendations(env, assessment, opts.now);
  const drop = previous ? regressionBetween({ percent: previous.percent, statuses: JSON.parse(previous.statuses) as Record<string, string> }, s) : undefined;
  if (!previous || !drop) return view(row);
  const investigationId = await openInvestigation(env, { snapshotId: row.id, previousSnapshotId: previous.id, drop, at: takenAt });
  return { ...view(row), ...(investigationId ? { investigation_id: investigationId } : {}) };
}

async function openInvestigation(env: Env, o: { snapshotId: string; previousSnapshotId: string; drop: Regression; at: string }): Promise<string | undefined> {
  const id = `minv_${o.snapshotId}`;
  const inserted = await mdb(env).insert(m.maturityInvestigations).values({
    id, openedAt: o.at, snapshotId: o.snapshotId, previousSnapshotId: o.previousSnapshotId, dropFrom: o.drop.from, dropTo: o.drop.to,
    regressed: JSON.stringify(o.drop.regressed), status: "open",
  }).onConflictDoNothing().returning({ id: m.maturityInvestigations.id }).all();
  if (!inserted.length) return undefined;
  const alert = await raiseAlert(env, {
    kind: "maturity_regression", severity: "warning",
    title: `Stage 3 maturity fell from ${o.drop.from}% to ${o.drop.to}%`,
    evidence: { investigation: id, snapshot: o.snapshotId, previous_snapshot: o.previousSnapshotId, regressed: o.drop.regressed },
  });
  await mdb(env).update(m.maturityInvestigations).set({ alertId: alert.id }).where(eq(m.maturityInvestigations.id, id));
  await audit(env, { actor: "system:maturity", action: "maturity.investigation.open", resource: `maturity/investigations/${id}`, detail: { from: o.drop.from, to: o.drop.to, regressed: o.drop.regressed } });
  return id;
}

export async function listSnapshots(env: Env, limit: number): Promise<SnapshotView[]> {
  return (await mdb(env).select().from(m.maturitySnapshots).orderBy(desc(m.maturitySnapshots.takenAt)).limit(limit).all()).map(view);
}

function investigationView(r: typeof m.maturityInvestigations.$inferSelect) {
  return {
    id: r.id, opened_at: r.openedAt, snapshot_id: r.snapshotId, previous_snapshot_id: r.previousSnapshotId,
    drop: { from: r.dropFrom, to: r.dropTo }, regressed: JSON.parse(r.regressed) as string[], status: r.status as "open" | "closed",
    ...(r.alertId ? { alert_id: r.alertId } : {}),
    ...(r.closedBy ? { closed_by: r.closedBy, closed_at: r.closedAt } : {}), ...(r.note ? { note: r.note } : {}),
  };
}

export async function listInvestigations(env: Env) {
  return (await mdb(env).select().from(m.maturityInvestigations).orderBy(desc(m.maturityInvestigations.openedAt)).limit(200).all()).map(investigationView);
}

/** Closes an investigation with what was found; audited. */
export async function closeInvestigation(env: Env, o: { id: string; actor: string; note: string }) {
  const d = mdb(env);
  const row = await d.select().from(m.maturityInvestigations).where(eq(m.maturityInvestigations.id, o.id)).get();
  if (!row) throw new ProblemError(404, "Not Found", `No maturity investigation ${o.id}.`);
  if (row.status !== "open") throw new ProblemError(409, "Already Closed", `Investigation ${o.id} was closed at ${row.closedAt}.`);
  const closedAt = nowIso();
  await d.update(m.maturityInvestigations).set({ status: "closed", closedBy: o.actor, closedAt, note: o.note }).where(eq(m.maturityInvestigations.id, o.id));
  await audit(env, { actor: o.actor, action: "maturity.investigation.close", resource: `maturity/investigations/${o.id}`, detail: { note: o.note } });
  return investigationView({ ...row, status: "closed", closedBy: o.actor, closedAt, note: o.note });
}
