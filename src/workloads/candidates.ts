/**
 * @module
 * Model-upgrade candidates: a newer upstream version of one catalog target, recorded by an admin
 * (`POST /models/{id}/candidates`) or the provider model-list watcher (./model-watcher.ts), and
 * evaluated before it serves anyone. Recording starts the candidate evaluation (./upgrades.ts:
 * runs that pin the candidate while production keeps the catalog as it is); a person then
 * accepts a recommendation, which promotes the candidate through the catalog's one write path
 * (versioned config, audit row, bundle version bump), or dismisses it.
 *
 * Each workload is evaluated by its team's home edge, so eval traffic stays in the team's zone:
 * the edge that records a candidate evaluates its own zone's workloads, and the other edges
 * evaluate theirs when they meet the candidate again (their daily watcher run, or the same POST
 * sent to them). Results are in the control plane, so any edge can decide and accept.
 *
 * A candidate has one recommendation per evaluated workload, but the catalog model is shared:
 * accepting promotes the candidate for every workload, so it needs every recommendation decided
 * and an explicit `{"override":true,"reason"}` when any of them is a flag.
 */
import { and, eq } from "drizzle-orm";
import { putCatalogModel } from "../config/catalog-store";
import type { ModelPut } from "../config/schemas";
import { audit, db, nowIso, schema, specOf } from "../config/store";
import { evalRecommendations, modelCandidates } from "../db/workloads-schema";
import type { Env } from "../env";
import { ProblemError } from "../errors/problem";
import { recommendationView, settleRecommendation, startUpgradeEvaluation } from "./upgrades";

type CandidateRow = typeof modelCandidates.$inferSelect;
type RecommendationRow = typeof evalRecommendations.$inferSelect;

export interface CandidateInput {
  model: string;
  provider: string;
  /** The upstream model version to evaluate on that provider. */
  to_model: string;
  source: "admin" | "watcher";
  actor: string;
}

export function candidateView(c: CandidateRow) {
  return {
    id: c.id, model: c.model, provider: c.provider, from_model: c.fromModel, to_model: c.toModel, source: c.source, status: c.status,
    created_by: c.createdBy, created_at: c.createdAt, decided_by: c.decidedBy, decided_at: c.decidedAt, reason: c.reason,
  };
}

async function catalogSpec(env: Env, modelId: string): Promise<ModelPut | undefined> {
  const row = await db(env).select().from(schema.models).where(eq(schema.models.id, modelId)).get();
  return row ? specOf<ModelPut>(row) : undefined;
}

/**
 * Records a candidate once per (model, provider, to_model) and starts its evaluation; a known
 * candidate is returned as it is (`created: false`) and starts nothing.
 * @example await recordCandidate(env, { model: "gpt-4o-mini", provider: "openai", to_model: "gpt-4o-mini-2026-10-01", source: "watcher", actor: "system:model-watcher" })
 */
export async function recordCandidate(env: Env, input: CandidateInput): Promise<{ candidate: CandidateRow; created: boolean; recommendations: string[] }> {
  const d = db(env);
  const key = and(eq(modelCandidates.model, input.model), eq(modelCandidates.provider, input.provider), eq(modelCandidates.toModel, input.to_model));
  // Known (evaluating, promoted or dismissed): the same answer every time, nothing started.
  const known = await d.select().from(modelCandidates).where(key).get();
  if (known) {
    // Still evaluating: this edge evaluates its own zone's workloads that have no recommendation yet.
    const recommendations = known.status === "evaluating" ? await startUpgradeEvaluation(env, {
      modelId: known.model, changes: [{ provider: known.provider, from_model: known.fromModel, model: known.toModel }], actor: input.actor, candidateId: known.id,
    }) : [];
    return { candidate: known, created: false, recommendations };
  }
  const spec = await catalogSpec(env, input.model);
  if (!spec) throw new ProblemError(404, "Not Found", `No model ${input.model}.`);
  const target = spec.targets.find((t) => t.provider === input.provider);
  if (!target) throw new ProblemError(422, "Not A Target", `Model ${input.model} has no target on provider ${input.provider}.`);
  if (target.model === input.to_model) throw new ProblemError(409, "Already Live", `Model ${input.model} already serves ${input.to_model} on ${input.provider}.`);
  const row: CandidateRow = {
    id: `cand_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`, model: input.model, provider: input.provider, fromModel: target.model,
    toModel: input.to_model, source: input.source, status: "evaluating", createdBy: input.actor, createdAt: nowIso(), decidedBy: null, decidedAt: null, reason: null,
  };
  // The unique (model, provider, to_model) index decides who records it, also between two edges.
  const inserted = await d.insert(modelCandidates).values(row).onConflictDoNothing().returning({ id: modelCandidates.id });
  if (inserted.length === 0) return { candidate: (await d.select().from(modelCandidates).where(key).get())!, created: false, recommendations: [] };
  await audit(env, { actor: input.actor, action: "model.candidate", resource: `models/${input.model}`, detail: candidateView(row) });
  const recommendations = await startUpgradeEvaluation(env, {
    modelId: input.model, changes: [{ provider: input.provider, from_model: target.model, model: input.to_model }], actor: input.actor, candidateId: row.id,
  });
  return { candidate: row, created: true, recommendations };
}

export async function listCandidates(env: Env, modelId: string): Promise<CandidateRow[]> {
  return db(env).select().from(modelCandidates).where(eq(modelCandidates.model, modelId)).all();
}

export interface AcceptBody {
  override?: boolean;
  reason?: string;
}

/** The recommendation and its siblings (the other workloads' recommendations of the same candidate), settled. */
async function settledFamily(env: Env, rec: RecommendationRow): Promise<RecommendationRow[]> {
  const rows = rec.candidateId ? await db(env).select().from(evalRecommendations).where(eq(evalRecommendations.candidateId, rec.candidateId)).all() : [rec];
  return Promise.all(rows.map((r) => settleRecommendation(env, r)));
}

/**
 * Accepts a decided recommendation. For a candidate: promotes it into the catalog (the
 * provider's target now calls the new version) and closes its recommendations; a flag anywhere
 * needs `override` with a reason; a catalog that moved on since the candidate was recorded is a 409.
 */
export async function acceptRecommendation(env: Env, rec: RecommendationRow, actor: string, body: AcceptBody) {
  if (rec.status !== "open") {
    if (rec.status === "accepted") return { ...recommendationView(rec), catalog_version: null };
    throw new ProblemError(409, "Recommendation Closed", `Recommendation ${rec.id} is ${rec.status}.`);
  }
  const family = await settledFamily(env, rec);
  const pending = family.filter((r) => r.decision === "pending");
  if (pending.length) throw new ProblemError(409, "Not Decided", `Waiting for the runs of ${pending.map((r) => `${r.id} (workload ${r.workload})`).join(", ")} to finish.`);
  const flagged = family.filter((r) => r.decision === "flag");
  if (flagged.length && body.override !== true) {
    const why = flagged.map((r) => `${r.workload}: ${(JSON.parse(r.regressions) as string[]).slice(0, 3).join("; ")}`).join(" | ");
    throw new ProblemError(409, "Override Required", `Flagged (${why}). Accepting needs {"override":true,"reason":"..."}.`);
  }
  const decidedAt = nowIso();
  let catalogVersion: number | null = null;
  if (rec.candidateId) {
    const d = db(env);
    const candidate = await d.select().from(modelCandidates).where(eq(modelCandidates.id, rec.candidateId)).get();
    if (!candidate || candidate.status !== "evaluating") throw new ProblemError(409, "Candidate Closed", `Candidate ${rec.candidateId} is ${candidate?.status ?? "gone"}.`);
    const spec = await catalogSpec(env, candidate.model);
    const target = spec?.targets.find((t) => t.provider === candidate.provider);
    if (!spec || !target || target.model !== candidate.fromModel) {
      throw new ProblemError(409, "Candidate Stale", `Model ${candidate.model} no longer serves ${candidate.fromModel} on ${candidate.provider}; record a new candidate.`);
    }
    const next: ModelPut = { ...spec, targets: spec.targets.map((t) => (t.provider === candidate.provider ? { ...t, model: candidate.toModel } : t)) };
    catalogVersion = (await putCatalogModel(env, candidate.model, next, {
      actor, action: "model.candidate.promote",
      detail: { candidate: candidate.id, recommendation: rec.id, from_model: candidate.fromModel, to_model: candidate.toModel, ...(body.override ? { override: true, reason: body.reason } : {}) },
    })).version;
    await d.update(modelCandidates).set({ status: "promoted", decidedBy: actor, decidedAt, reason: body.override ? (body.reason ?? null) : null }).where(eq(modelCandidates.id, candidate.id));
    await d.update(evalRecommendations).set({ status: "accepted", acceptedBy: actor }).where(and(eq(evalRecommendations.candidateId, candidate.id), eq(evalRecommendations.status, "open")));
  } else {
    await db(env).update(evalRecommendations).set({ status: "accepted", acceptedBy: actor }).where(eq(evalRecommendations.id, rec.id));
    await audit(env, { actor, action: "eval.recommendation.accept", resource: `models/${rec.model}`, detail: { recommendation: rec.id, decision: family[0].decision, ...(body.override ? { override: true, reason: body.reason } : {}) } });
  }
  const self = family.find((r) => r.id === rec.id) ?? rec;
  return { ...recommendationView({ ...self, status: "accepted", acceptedBy: actor }), catalog_version: catalogVersion };
}

/** Dismisses a recommendation; for a candidate, the candidate and all its recommendations. */
export async function dismissRecommendation(env: Env, rec: RecommendationRow, actor: string, reason: string | undefined) {
  if (rec.status !== "open") throw new ProblemError(409, "Recommendation Closed", `Recommendation ${rec.id} is ${rec.status}.`);
  const d = db(env);
  if (rec.candidateId) {
    await d.update(modelCandidates).set({ status: "dismissed", decidedBy: actor, decidedAt: nowIso(), reason: reason ?? null })
      .where(and(eq(modelCandidates.id, rec.candidateId), eq(modelCandidates.status, "evaluating")));
    await d.update(evalRecommendations).set({ status: "dismissed", acceptedBy: actor }).where(and(eq(evalRecommendations.candidateId, rec.candidateId), eq(evalRecommendations.status, "open")));
  } else {
    await d.update(evalRecommendations).set({ status: "dismissed", acceptedBy: actor }).where(eq(evalRecommendations.id, rec.id));
  }
  await audit(env, { actor, action: "eval.recommendation.dismiss", resource: `models/${rec.model}`, detail: { recommendation: rec.id, candidate: rec.candidateId, reason } });
  return recommendationView({ ...rec, status: "dismissed", acceptedBy: actor });
}
