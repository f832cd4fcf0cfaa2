/**
 * @module
 * Layer 4 (Workloads) exit criteria, judged from workloads, dataset versions, eval runs,
 * production samples, upgrade recommendations and lifecycle transitions.
 *
 * "Active" means serving real traffic: lifecycle staging or production. A dev workload is not
 * active yet; deprecated and decommissioned ones are on their way out.
 */
import type { MaturityFacts, WorkloadFact } from "./facts";
import { ageDays, met, notMet, plural, type Criterion, type Evidence } from "./types";

export const GOLDEN_MIN_EXAMPLES = 100;
/** Adversarial suites run daily; a month without a run means CI stopped covering the workload. */
export const ADVERSARIAL_MAX_AGE_DAYS = 31;
/** Sampling is "active" when a sample was taken this recently. */
export const SAMPLING_MAX_AGE_DAYS = 14;

const ACTIVE = new Set(["staging", "production"]);
export const activeWorkloads = (f: MaturityFacts): WorkloadFact[] => f.routing.workloads.filter((w) => ACTIVE.has(w.lifecycle));
const wl = (id: string) => `/admin/v1/workloads/${encodeURIComponent(id)}`;

/** One workload's verdict for a per-workload criterion: its evidence, and what it still lacks. */
interface WorkloadVerdict {
  evidence?: Evidence;
  missing?: string[];
}

/**
 * Judges every workload in `workloads`: met only when none lacks anything (evidence is kept
 * either way); not met with `none` when there is no workload to judge.
 */
function judgeEach(workloads: WorkloadFact[], none: string, judge: (w: WorkloadFact) => WorkloadVerdict, metReason: string): ReturnType<Criterion["evaluate"]> {
  if (!workloads.length) return notMet([none]);
  const verdicts = workloads.map(judge);
  const evidence = verdicts.flatMap((v) => (v.evidence ? [v.evidence] : []));
  const missing = verdicts.flatMap((v) => v.missing ?? []);
  return missing.length ? notMet(missing, evidence) : met(metReason, evidence);
}

const goldenDatasets: Criterion = {
  id: "l4.golden-datasets",
  layer: "layer-4",
  text: "Every active workload has a golden dataset with at least 100 examples, and dataset coverage metrics are tracked.",
  action: "Upload a golden dataset of at least 100 examples for each staging/production workload and declare its input_categories so coverage is measured.",
  evaluate(f) {
    const active = activeWorkloads(f);
    return judgeEach(active, "At least one active (staging or production) workload to judge.", (w) => {
      const latest = f.datasets.filter((d) => d.workload === w.id && d.suite === "golden").sort((a, b) => b.version - a.version)[0];
      const missing: string[] = [];
      if (!latest) missing.push(`${w.id}: a golden dataset (none uploaded).`);
      else if (latest.examples < GOLDEN_MIN_EXAMPLES) missing.push(`${w.id}: ${GOLDEN_MIN_EXAMPLES - latest.examples} more golden examples (v${latest.version} has ${latest.examples}).`);
      if (w.inputCategories === 0) missing.push(`${w.id}: declared input_categories, so dataset coverage is measured.`);
      const evidence = latest && { label: `${w.id} golden v${latest.version}: ${latest.examples} examples, coverage ${(latest.coverage * 100).toFixed(0)}%`, href: `${wl(w.id)}/datasets`, at: latest.createdAt };
      return { evidence, missing };
    }, `All ${plural(active.length, "active workload")} have ≥${GOLDEN_MIN_EXAMPLES} golden examples with coverage tracked.`);
  },
};

const adversarialCi: Criterion = {
  id: "l4.adversarial-ci",
  layer: "layer-4",
  text: "Adversarial test suites run in CI for all active workloads, not only those handling sensitive data.",
  action: "Keep the daily adversarial-suites cron on, and make sure every active workload has a chat model it can run against.",
  evaluate(f) {
    const active = activeWorkloads(f);
    return judgeEach(active, "At least one active (staging or production) workload to judge.", (w) => {
      const run = f.evalRuns.filter((r) => r.workload === w.id && r.suite === "adversarial").sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      if (run && ageDays(run.createdAt, f.now) <= ADVERSARIAL_MAX_AGE_DAYS) return { evidence: { label: `${w.id}: adversarial run ${run.id} (${run.trigger})`, href: `/admin/v1/evals/runs/${encodeURIComponent(run.id)}`, at: run.createdAt } };
      return { missing: [`${w.id}: an adversarial suite run in the last ${ADVERSARIAL_MAX_AGE_DAYS} days${run ? ` (last ${run.createdAt.slice(0, 10)})` : " (never ran)"}.`] };
    }, `Adversarial suites ran in the last ${ADVERSARIAL_MAX_AGE_DAYS} days for all ${plural(active.length, "active workload")}.`);
  },
};

const productionSampling: Criterion = {
  id: "l4.production-sampling",
  layer: "layer-4",
  text: "Production quality sampling is active for all production workloads and quality trends are visible on dashboards.",
  action: "Set sampling.rate (and evaluators) on every production workload (PUT /admin/v1/workloads/:id); trends appear at /admin/v1/workloads/:id/quality.",
  evaluate(f) {
    const production = f.routing.workloads.filter((w) => w.lifecycle === "production");
    return judgeEach(production, "At least one production workload to judge.", (w) => {
      const samples = f.samplesByWorkload[w.id];
      if (w.samplingRate <= 0) return { missing: [`${w.id}: a sampling rate above 0 (sampling is off).`] };
      if (!samples || ageDays(samples.latest, f.now) > SAMPLING_MAX_AGE_DAYS) return { missing: [`${w.id}: a production sample in the last ${SAMPLING_MAX_AGE_DAYS} days (rate ${w.samplingRate}%; no recent traffic sampled).`] };
      return { evidence: { label: `${w.id}: ${plural(samples.count, "sample")} at ${w.samplingRate}%`, href: `${wl(w.id)}/quality`, at: samples.latest } };
    }, `Sampling active on all ${plural(production.length, "production workload")}; quality trends at /workloads/:id/quality.`);
  },
};

const upgradeEvaluated: Criterion = {
  id: "l4.model-upgrade-evaluated",
  layer: "layer-4",
  text: "At least one model upgrade has been evaluated automatically and the recommendation (promote or flag) is documented.",
  action: "Register the new version as a catalog target; the re-evaluation pipeline runs the golden and adversarial suites and records promote or flag.",
  evaluate(f) {
    const decided = f.evalRecommendations.filter((r) => r.decision === "promote" || r.decision === "flag");
    const evidence = decided.slice(0, 5).map((r) => ({ label: `Upgrade re-evaluation ${r.id} for ${r.workload}: ${r.decision} (${r.status})`, href: "/admin/v1/evals/recommendations", at: r.createdAt }));
    if (decided.length) return met(`${plural(decided.length, "upgrade recommendation")} documented (${decided.map((r) => r.decision).join(", ")}).`, evidence);
    const pending = f.evalRecommendations.length;
    return notMet([`A model-upgrade re-evaluation with a promote or flag decision (${plural(pending, "re-evaluation")} still pending).`]);
  },
};

const lifecycleTransition: Criterion = {
  id: "l4.lifecycle-transition",
  layer: "layer-4",
  text: "Workload lifecycle states are defined and at least one workload has transitioned through a lifecycle stage with documented approval.",
  action: "Request a lifecycle transition (POST /admin/v1/workloads/:id/transitions) and have a second person approve it.",
  evaluate(f) {
    const approved = f.transitions.filter((t) => t.status === "applied" && t.approvedBy);
    const evidence = approved.slice(0, 5).map((t) => ({ label: `${t.workload}: ${t.from} → ${t.to}, approved by ${t.approvedBy}`, href: `${wl(t.workload)}/transitions`, at: t.decidedAt ?? undefined }));
    if (approved.length) return met(`${plural(approved.length, "approved transition")} on record.`, evidence);
    const pending = f.transitions.filter((t) => t.status === "pending").length;
    return notMet([`An applied lifecycle transition with a recorded approver (${plural(pending, "transition")} pending approval).`]);
  },
};

export const layer4Criteria: readonly Criterion[] = [goldenDatasets, adversarialCi, productionSampling, upgradeEvaluated, lifecycleTransition];
