/**
 * @module
 * Recommendations: one per not-met criterion, with a stable id (`rec_<criterion id>`), so
 * re-assessing updates the open one instead of adding another. A person accepts or dismisses it;
 * the decision (who, when, why) is kept on the row and in the admin audit log. An open
 * recommendation whose criterion is now met is withdrawn; decided ones are kept as history.
 */
import { and, eq, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { configDb } from "../config/control-db";
import { audit } from "../config/store";
import * as m from "../db/maturity-schema";
import type { Env } from "../env";
import { ProblemError } from "../errors/problem";
import { ALL_CRITERIA } from "./assess";
import type { Assessment } from "./types";

export interface RecommendationDraft {
  id: string;
  criterion_id: string;
  text: string;
  action: string;
}

export interface RecommendationView extends RecommendationDraft {
  status: "open" | "accepted" | "dismissed";
  created_at: string;
  decided_by?: string;
  decided_at?: string;
  reason?: string;
}

/** The stable id of a criterion's recommendation. */
export const recommendationId = (criterionId: string): string => `rec_${criterionId}`;

/**
 * One draft per not-met criterion: what is missing, and the criterion's action.
 * @example recommendationsFor(assessment).map((r) => r.id) // ["rec_l1.compliance-reports-distributed", ...]
 */
export function recommendationsFor(a: Assessment): RecommendationDraft[] {
  const actions = new Map(ALL_CRITERIA.map((c) => [c.id, c.action]));
  return a.layers.flatMap((l) => l.criteria)
    .filter((c) => c.status === "not_met")
    .map((c) => ({
      id: recommendationId(c.id),
      criterion_id: c.id,
      text: `${c.id} is not met. Missing: ${c.missing.join(" ")}`.slice(0, 4000),
      action: actions.get(c.id) ?? "Provide the missing records.",
    }));
}

const mdb = (env: Pick<Env, "DB" | "CONTROL_DB">) => drizzle(configDb(env));

/** Brings the stored recommendations in line with an assessment (idempotent). */
export async function syncRecommendations(env: Env, a: Assessment, now: number): Promise<void> {
  const d = mdb(env);
  const at = new Date(now).toISOString();
  const drafts = recommendationsFor(a);
  for (const r of drafts) {
    await d.insert(m.maturityRecommendations)
      .values({ id: r.id, criterionId: r.criterion_id, text: r.text, action: r.action, status: "open", createdAt: at, updatedAt: at })
      // Only an open recommendation follows the live text; a decided one keeps what was decided on.
      .onConflictDoUpdate({ target: m.maturityRecommendations.id, set: { text: r.text, action: r.action, updatedAt: at }, setWhere: eq(m.maturityRecommendations.status, "open") });
  }
  const open = await d.select({ id: m.maturityRecommendations.id }).from(m.maturityRecommendations).where(eq(m.maturityRecommendations.status, "open")).all();
  const wanted = new Set(drafts.map((r) => r.id));
  const withdrawn = open.map((r) => r.id).filter((id) => !wanted.has(id));
  if (withdrawn.length) await d.delete(m.maturityRecommendations).where(and(eq(m.maturityRecommendations.status, "open"), inArray(m.maturityRecommendations.id, withdrawn)));
}

function view(r: typeof m.maturityRecommendations.$inferSelect): RecommendationView {
  return {
    id: r.id, criterion_id: r.criterionId, text: r.text, action: r.action, status: r.status as RecommendationView["status"], created_at: r.createdAt,
    ...(r.decidedBy ? { decided_by: r.decidedBy, decided_at: r.decidedAt ?? undefined } : {}), ...(r.reason ? { reason: r.reason } : {}),
  };
}

export async function listRecommendations(env: Env, status?: string): Promise<RecommendationView[]> {
  const q = mdb(env).select().from(m.maturityRecommendations);
  const rows = status ? await q.where(eq(m.maturityRecommendations.status, status)).all() : await q.all();
  return rows.map(view).sort((a, b) => a.criterion_id.localeCompare(b.criterion_id));
}

/** Accepts or dismisses an open recommendation; the decision goes to the audit log. */
export async function decideRecommendation(env: Env, o: { id: string; decision: "accepted" | "dismissed"; actor: string; reason: string }): Promise<RecommendationView> {
  const d = mdb(env);
  const row = await d.select().from(m.maturityRecommendations).where(eq(m.maturityRecommendations.id, o.id)).get();
  if (!row) throw new ProblemError(404, "Not Found", `No maturity recommendation ${o.id}.`);
  if (row.status !== "open") throw new ProblemError(409, "Already Decided", `${o.id} was ${row.status} by ${row.decidedBy} at ${row.decidedAt}.`);
  const at = new Date().toISOString();
  await d.update(m.maturityRecommendations).set({ status: o.decision, decidedBy: o.actor, decidedAt: at, reason: o.reason, updatedAt: at }).where(eq(m.maturityRecommendations.id, o.id));
  await audit(env, { actor: o.actor, action: `maturity.recommendation.${o.decision === "accepted" ? "accept" : "dismiss"}`, resource: `maturity/recommendations/${o.id}`, detail: { criterion: row.criterionId, reason: o.reason } });
  return view({ ...row, status: o.decision, decidedBy: o.actor, decidedAt: at, reason: o.reason });
}
