/**
 * @module
 * Workload lifecycle rules as pure functions: which transitions exist, what each requires, and
 * which need a second person's approval. `dev → staging → production → deprecated →
 * decommissioned`, plus stepping back (staging → dev, deprecated → production) and retiring
 * from dev or staging directly. A refusal lists everything that is missing, not just the first.
 */
import type { Lifecycle } from "../config/schemas";
import { DEFAULT_ADVERSARIAL_GATE, DEFAULT_COVERAGE_THRESHOLD, PRODUCTION_MIN_EXAMPLES, type WorkloadEvalSettings } from "./settings";

const EDGES: Record<Lifecycle, readonly Lifecycle[]> = {
  dev: ["staging", "decommissioned"],
  staging: ["production", "dev", "decommissioned"],
  production: ["deprecated"],
  deprecated: ["production", "decommissioned"],
  decommissioned: [],
};

/** Transitions a second person must approve (the requester cannot approve their own). */
export const APPROVAL_REQUIRED: ReadonlySet<Lifecycle> = new Set(["production", "decommissioned"]);

/** What the checks read: the workload's settings and facts gathered from storage. */
export interface TransitionFacts {
  from: Lifecycle;
  to: Lifecycle;
  settings: WorkloadEvalSettings;
  /** Latest golden dataset, if any. */
  dataset?: { version: number; examples: number; coverage: number };
  /** Latest completed adversarial run of the workload, if any. */
  adversarial?: { run: string; pass_rate: number; complete: boolean };
  /** From the transition request (deprecation). */
  sunset_at?: string;
  migration_plan?: string;
  now: number;
}

export interface TransitionCheck {
  allowed: boolean;
  missing: string[];
  needs_approval: boolean;
  criteria: Record<string, unknown>;
}

/**
 * Checks a transition.
 * @example checkTransition({ from: "staging", to: "production", settings, dataset, adversarial, now: Date.now() }).missing
 */
export function checkTransition(f: TransitionFacts): TransitionCheck {
  const missing: string[] = [];
  const criteria: Record<string, unknown> = {};
  if (!EDGES[f.from].includes(f.to)) {
    return { allowed: false, missing: [`no transition from ${f.from} to ${f.to} (allowed: ${EDGES[f.from].join(", ") || "none"})`], needs_approval: false, criteria };
  }
  if (f.to === "production") {
    const threshold = f.settings.coverage?.threshold ?? DEFAULT_COVERAGE_THRESHOLD;
    const gate = f.settings.adversarial_gate ?? DEFAULT_ADVERSARIAL_GATE;
    Object.assign(criteria, { dataset: f.dataset ?? null, coverage_threshold: threshold, adversarial: f.adversarial ?? null, adversarial_gate: gate, owner: f.settings.owner ?? null });
    if (!f.dataset) missing.push(`a golden dataset of at least ${PRODUCTION_MIN_EXAMPLES} examples (none uploaded)`);
    else {
      if (f.dataset.examples < PRODUCTION_MIN_EXAMPLES) missing.push(`a golden dataset of at least ${PRODUCTION_MIN_EXAMPLES} examples (v${f.dataset.version} has ${f.dataset.examples})`);
      if (f.dataset.coverage < threshold) missing.push(`dataset coverage of at least ${threshold} (v${f.dataset.version} covers ${f.dataset.coverage.toFixed(2)})`);
    }
    if (!f.adversarial) missing.push("a passing adversarial gate (no adversarial run yet)");
    else if (!f.adversarial.complete) missing.push(`a passing adversarial gate (run ${f.adversarial.run} is still running)`);
    else if (f.adversarial.pass_rate < gate) missing.push(`a passing adversarial gate (run ${f.adversarial.run} passed ${f.adversarial.pass_rate.toFixed(2)} < ${gate})`);
    if (!f.settings.owner) missing.push("an owner (set `owner` on the workload)");
  }
  if (f.to === "deprecated") {
    const sunset = f.sunset_at ?? f.settings.sunset_at;
    const plan = f.migration_plan ?? f.settings.migration_plan;
    Object.assign(criteria, { sunset_at: sunset ?? null, migration_plan: plan ?? null });
    if (!sunset) missing.push("a sunset date (`sunset_at`, ISO 8601)");
    else if (Date.parse(sunset) <= f.now) missing.push("a sunset date in the future");
    if (!plan) missing.push("a migration plan (`migration_plan`)");
  }
  return { allowed: missing.length === 0, missing, needs_approval: APPROVAL_REQUIRED.has(f.to), criteria };
}

/** Whether `approver` may approve a transition `requester` asked for. */
export function mayApprove(requester: string, approver: string): boolean {
  return requester !== approver;
}
