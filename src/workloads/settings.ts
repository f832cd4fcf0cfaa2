/**
 * @module
 * The evaluation and lifecycle fields of a workload (`PUT /admin/v1/workloads/{id}`): who owns
 * it, which input categories it declares (coverage is measured against them), the quality gates
 * a transition to production checks, production sampling, and the sunset of a deprecated one.
 */
import { z } from "zod";
import { Check } from "./evaluators";

export const Sampling = z
  .object({
    /** Percent of successful production requests sampled (0–100). */
    rate: z.number().min(0).max(100),
    /** Checks run on each sampled answer (no expected value: judges and pattern checks fit). */
    evaluators: z.array(Check).max(20).default([]),
    /** Percent of samples also routed to the human review queue (default 0). */
    review_rate: z.number().min(0).max(100).optional(),
    /** Restricted workloads are sampled as metadata only unless this allows in-zone evaluation. */
    restricted_in_zone: z.boolean().optional(),
    /** Alert when the daily score drops this much below the baseline (default 0.1). */
    regression_margin: z.number().min(0).max(1).optional(),
  })
  .strict();
export type Sampling = z.infer<typeof Sampling>;

export const WorkloadEvalSettings = z.object({
  /** The accountable person or group (required to enter production). */
  owner: z.string().min(1).max(200).optional(),
  /** The workload's known input categories; dataset coverage is measured against them. */
  input_categories: z.array(z.string().min(1).max(64)).max(200).optional(),
  /** Coverage: a category counts when it has `min_examples`; production needs `threshold`. */
  coverage: z.object({ min_examples: z.number().int().min(1).max(1000).default(5), threshold: z.number().min(0).max(1).default(0.8) }).strict().optional(),
  /** Minimum adversarial-suite pass rate (0–1; default 0.8). */
  adversarial_gate: z.number().min(0).max(1).optional(),
  sampling: Sampling.optional(),
  /** Deprecated workloads: when keys stop working (ISO 8601) and how callers move off. */
  sunset_at: z.iso.datetime({ offset: true }).optional(),
  migration_plan: z.string().min(1).max(4_000).optional(),
});
export type WorkloadEvalSettings = z.infer<typeof WorkloadEvalSettings>;

export const DEFAULT_MIN_EXAMPLES = 5;
export const DEFAULT_COVERAGE_THRESHOLD = 0.8;
/** Default adversarial pass-rate gate; the built-in library has two cases no guardrail stops yet. */
export const DEFAULT_ADVERSARIAL_GATE = 0.8;
export const DEFAULT_REGRESSION_MARGIN = 0.1;
export const PRODUCTION_MIN_EXAMPLES = 100;
