/**
 * @module
 * Model-upgrade evaluation. A new version of a catalog model's target (same provider, another
 * upstream model) is evaluated for every workload that uses the model and has a golden dataset:
 * a golden and an adversarial run through `eval-jobs`, and a recommendation comparing them with
 * the production baseline: **promote** when quality, cost and latency hold within tolerance and
 * the adversarial gate passes, else **flag** with the regressions. Normally the version is a
 * *candidate* (./candidates.ts): its runs pin it while production keeps serving the catalog, and
 * accepting the recommendation changes the catalog. A direct catalog PUT is evaluated after the
 * fact the same way. The decision is made once the runs complete (when recommendations are read).
 */
import { and, desc, eq, isNull, lt } from "drizzle-orm";
import type { ModelPut } from "../config/schemas";
import { getBundle } from "../config/loader";
import type { PolicyBundle } from "../config/bundle";
import { db } from "../config/store";
import { evalRecommendations, evalResults, evalRuns } from "../db/workloads-schema";
import type { Env } from "../env";
import { datasetRow } from "./dataset-store";
import { compareRuns, createRun, summarise, type RunSummary } from "./runs";
import { DEFAULT_ADVERSARIAL_GATE } from "./settings";
import type { CandidatePin } from "./mark";
import { forwardAction, parseEdges } from "../routing/forward";

export interface TargetChange {
  provider: string;
  from_model: string;
  model: string;
}

/** Targets whose upstream model changed for the same provider (pure). */
export function targetChanges(before: Pick<ModelPut, "targets"> | undefined, after: Pick<ModelPut, "targets">): TargetChange[] {
  if (!before) return [];
  const out: TargetChange[] = [];
  for (const t of after.targets) {
    const old = before.targets.find((b) => b.provider === t.provider);
    if (old && old.model !== t.model) out.push({ provider: t.provider, from_model: old.model, model: t.model });
  }
  return out;
}

/**
 * Latency is compared only with at least `latency_min_samples` answered examples on each side:
 * the p50 of a handful of calls is dominated by cold starts and queue load, and would flag noise.
 */
export const TOLERANCE = { pass_rate: 0.02, cost_ratio: 1.1, latency_ratio: 1.25, latency_slack_ms: 50, latency_min_samples: 10 };

/** Examples that got an answer (pass or fail): the latency samples of a run. */
const answered = (s: RunSummary) => s.counts.pass + s.counts.fail;

/**
 * promote or flag, with the regressions (pure).
 * @example recommend(baseline, candidate, adversarial, 0.8).decision
 */
export function recommend(baseline: RunSummary | undefined, candidate: RunSummary, adversarial: RunSummary | undefined, gate: number): { decision: "promote" | "flag"; regressions: string[] } {
  const regressions: string[] = [];
  if (baseline && baseline.pass_rate !== null && candidate.pass_rate !== null && candidate.pass_rate < baseline.pass_rate - TOLERANCE.pass_rate) {
    regressions.push(`quality: pass rate ${candidate.pass_rate.toFixed(3)} < baseline ${baseline.pass_rate.toFixed(3)}`);
  }
  if (baseline && baseline.cost_usd > 0 && candidate.cost_usd > baseline.cost_usd * TOLERANCE.cost_ratio) {
    regressions.push(`cost: ${candidate.cost_usd} USD > ${TOLERANCE.cost_ratio} × baseline ${baseline.cost_usd} USD`);
  }
  const lb = baseline?.latency_ms.p50;
  const lc = candidate.latency_ms.p50;
  const comparable = baseline !== undefined && Math.min(answered(baseline), answered(candidate)) >= TOLERANCE.latency_min_samples;
  if (comparable && lb != null && lc != null && lc > lb * TOLERANCE.latency_ratio + TOLERANCE.latency_slack_ms) regressions.push(`latency: p50 ${lc} ms > baseline ${lb} ms`);
  if (adversarial && (adversarial.pass_rate ?? 0) < gate) regressions.push(`adversarial: pass rate ${(adversarial.pass_rate ?? 0).toFixed(3)} < gate ${gate}`);
  if (!baseline) regressions.push("no production baseline run to compare with");
  return { decision: regressions.length ? "flag" : "promote", regressions };
}

/** Whether this edge is the home edge of a team in `zone` (also when no edge of that zone is configured). */
export function homeEdgeHere(env: Pick<Env, "REGION" | "REGION_EDGES">, zone: string | undefined): boolean {
  return zone === undefined || forwardAction({ here: env.REGION, home: zone, edges: parseEdges(env.REGION_EDGES) }).kind === "serve";
}

/** What is evaluated: a candidate not yet live (pinned in eval traffic), or a change already applied. */
export interface EvaluationSubject {
  modelId: string;
  changes: TargetChange[];
  actor: string;
  /** A recorded candidate (./candidates.ts): its runs pin the candidate target; production is untouched. */
  candidateId?: string;
}

/** The workload's latest production (unpinned) golden run on the model, optionally before a time or on a dataset version. */
async function productionBaseline(env: Env, workload: string, modelId: string, opts: { before?: string; datasetVersion?: number }) {
  const where = [eq(evalRuns.workload, workload), eq(evalRuns.model, modelId), eq(evalRuns.suite, "golden"), isNull(evalRuns.candidate)];
  if (opts.before) where.push(lt(evalRuns.createdAt, opts.before));
  if (opts.datasetVersion !== undefined) where.push(eq(evalRuns.datasetVersion, opts.datasetVersion));
  return db(env).select().from(evalRuns).where(and(...where)).orderBy(desc(evalRuns.createdAt)).get();
}

/** The runs and the open recommendation of one workload; returns the recommendation id. */
async function evaluateWorkload(env: Env, bundle: PolicyBundle, workload: string, subject: EvaluationSubject, pin: CandidatePin | undefined, startedAt: string): Promise<string> {
  const { modelId, actor, candidateId, changes } = subject;
  const trigger = pin ? "candidate" : "upgrade";
  const golden = await createRun({ env, bundle, body: { workload, suite: "golden", model: modelId }, actor, trigger, candidate: pin });
  const adversarial = await createRun({ env, bundle, body: { workload, suite: "adversarial", model: modelId }, actor, trigger, candidate: pin });
  const baselineId = pin
    ? ((await productionBaseline(env, workload, modelId, { datasetVersion: golden.dataset_version }))?.id ??
      (await createRun({ env, bundle, body: { workload, suite: "golden", model: modelId, dataset_version: golden.dataset_version }, actor, trigger: "candidate-baseline" })).id)
    : (await productionBaseline(env, workload, modelId, { before: startedAt }))?.id;
  const id = `rec_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`;
  await db(env).insert(evalRecommendations).values({
    id, candidateId: candidateId ?? null, model: modelId, candidate: JSON.stringify(changes), workload, baselineRun: baselineId ?? "", candidateRun: golden.id,
    adversarialRun: adversarial.id, decision: "pending", regressions: "[]", status: "open", acceptedBy: null, createdAt: startedAt,
  });
  return id;
}

/**
 * Starts the evaluation of every workload using the model that has a golden dataset: a golden
 * and an adversarial run and an open recommendation each. For a candidate the runs pin the
 * candidate target and the baseline is production's latest golden run on the same dataset
 * version (a fresh production run is started when there is none); after a direct catalog change
 * the baseline is the last golden run before it.
 */
export async function startUpgradeEvaluation(env: Env, subject: EvaluationSubject): Promise<string[]> {
  const { modelId, changes, actor, candidateId } = subject;
  if (changes.length === 0) return [];
  const bundle = await getBundle(env, { waitUntil: () => {} });
  const pin: CandidatePin | undefined = candidateId ? { provider: changes[0].provider, model: changes[0].model } : undefined;
  const ids: string[] = [];
  const startedAt = new Date().toISOString();
  // A candidate is evaluated for a workload once, by the workload's home edge (its eval traffic,
  // usage and logs stay in the team's zone); other zones' edges pick theirs up (./candidates.ts).
  const evaluated = candidateId
    ? new Set((await db(env).select({ w: evalRecommendations.workload }).from(evalRecommendations).where(eq(evalRecommendations.candidateId, candidateId)).all()).map((r) => r.w))
    : new Set<string>();
  for (const w of bundle.workloads.values()) {
    if (w.lifecycle === "decommissioned" || !w.allowed_models.includes(modelId) || evaluated.has(w.id)) continue;
    if (candidateId && !homeEdgeHere(env, bundle.teams.get(w.team)?.residency)) continue;
    try {
      if (!(await datasetRow(env, w.id))) continue;
      ids.push(await evaluateWorkload(env, bundle, w.id, subject, pin, startedAt));
    } catch (err) {
      // One workload that cannot be evaluated here (e.g. its examples are in another zone) does not stop the others.
      console.warn("upgrade evaluation not started", { workload: w.id, model: modelId, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return ids;
}

async function runSummary(env: Env, id: string | null): Promise<{ summary: RunSummary; rows: Array<typeof evalResults.$inferSelect> } | undefined> {
  if (!id) return undefined;
  const run = await db(env).select().from(evalRuns).where(eq(evalRuns.id, id)).get();
  if (!run) return undefined;
  const rows = await db(env).select().from(evalResults).where(eq(evalResults.runId, id)).all();
  return { summary: summarise(run, rows, false), rows };
}

type RecommendationRow = typeof evalRecommendations.$inferSelect;

/** Decides a pending recommendation once its runs have completed; returns the (possibly updated) row. */
export async function settleRecommendation(env: Env, rec: RecommendationRow): Promise<RecommendationRow> {
  if (rec.decision !== "pending") return rec;
  const candidate = await runSummary(env, rec.candidateRun);
  const adversarial = await runSummary(env, rec.adversarialRun);
  if (!candidate || candidate.summary.status !== "completed" || (adversarial && adversarial.summary.status !== "completed")) return rec;
  const baseline = await runSummary(env, rec.baselineRun || null);
  // A fresh production baseline (candidate evaluation) must finish too.
  if (baseline && baseline.summary.status !== "completed") return rec;
  const bundle = await getBundle(env, { waitUntil: () => {} });
  const gate = bundle.workloads.get(rec.workload)?.adversarial_gate ?? DEFAULT_ADVERSARIAL_GATE;
  const { decision, regressions } = recommend(baseline?.summary, candidate.summary, adversarial?.summary, gate);
  const perExample = baseline ? compareRuns({ id: rec.baselineRun, rows: baseline.rows }, { id: rec.candidateRun, rows: candidate.rows }).regressions.map((r) => `example ${r.example}: ${r.a} → ${r.b}`) : [];
  const all = [...regressions, ...perExample.slice(0, 50)];
  await db(env).update(evalRecommendations).set({ decision, regressions: JSON.stringify(all) }).where(eq(evalRecommendations.id, rec.id));
  return { ...rec, decision, regressions: JSON.stringify(all) };
}

export function recommendationView(r: RecommendationRow) {
  return {
    id: r.id, candidate_id: r.candidateId, model: r.model, candidate: JSON.parse(r.candidate) as unknown, workload: r.workload, baseline_run: r.baselineRun || null,
    candidate_run: r.candidateRun, adversarial_run: r.adversarialRun, decision: r.decision, regressions: JSON.parse(r.regressions) as unknown,
    status: r.status, accepted_by: r.acceptedBy, created_at: r.createdAt,
  };
}
