/**
 * @module
 * D1 tables of the workloads capability: golden/adversarial dataset index (examples live in R2),
 * eval runs and their per-example results, production samples (with the human review queue),
 * lifecycle transitions and model-upgrade recommendations.
 * Migrations: d1-migrations/0015_workloads.sql, 0019_model_candidates.sql (hand-written to match).
 */
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** One immutable dataset version; the examples are the R2 object at `r2Key`. */
export const datasets = sqliteTable(
  "datasets",
  {
    workload: text("workload").notNull(),
    version: integer("version").notNull(),
    /** "golden" or "adversarial" (adversarial versions belong to the shared library, workload "*"). */
    suite: text("suite").notNull(),
    examples: integer("examples").notNull(),
    /** JSON: category → example count. */
    categories: text("categories").notNull(),
    /** Share (0–1) of the workload's declared categories with at least the quota of examples. */
    coverage: real("coverage").notNull(),
    r2Key: text("r2_key").notNull(),
    sha256: text("sha256").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull(),
    archivedAt: text("archived_at"),
    /** JSON of the last scheduled quality review (consistent failures, duplicates, categories below quota). */
    review: text("review"),
  },
  (t) => [primaryKey({ columns: [t.workload, t.version] })],
);

export const evalRuns = sqliteTable(
  "eval_runs",
  {
    id: text("id").primaryKey(),
    workload: text("workload").notNull(),
    suite: text("suite").notNull(),
    datasetVersion: integer("dataset_version").notNull(),
    model: text("model").notNull(),
    /** JSON {provider, model} when the run pins a candidate target (upgrade re-evaluation). */
    candidate: text("candidate"),
    total: integer("total").notNull(),
    trigger: text("trigger").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("eval_runs_workload").on(t.workload, t.createdAt)],
);

/** One row per (run, example): the primary key makes a redelivered job a no-op. */
export const evalResults = sqliteTable(
  "eval_results",
  {
    runId: text("run_id").notNull(),
    exampleId: text("example_id").notNull(),
    category: text("category").notNull(),
    /** pass | fail | error */
    status: text("status").notNull(),
    score: real("score").notNull(),
    latencyMs: integer("latency_ms").notNull(),
    costNusd: integer("cost_nusd").notNull(),
    requestId: text("request_id").notNull(),
    /** The model's answer; null for restricted workloads (metadata only). */
    output: text("output"),
    /** JSON: per-check results (judge verdict and reasoning included) or the error. */
    detail: text("detail").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.exampleId] })],
);

/** Production samples, keyed by request id (redelivery writes nothing new). */
export const evalSamples = sqliteTable(
  "eval_samples",
  {
    requestId: text("request_id").primaryKey(),
    workload: text("workload").notNull(),
    ts: text("ts").notNull(),
    day: text("day").notNull(),
    dataClass: text("data_class").notNull(),
    /** 1 when only metadata was sampled (restricted). */
    metadataOnly: integer("metadata_only").notNull(),
    /** Redacted request/response pair as JSON; null when metadata only. */
    pair: text("pair"),
    /** Automated score 0–1 (null when not scored, e.g. metadata only). */
    score: real("score"),
    detail: text("detail"),
    /** none | pending | graded */
    review: text("review").notNull(),
    humanScore: real("human_score"),
    reviewer: text("reviewer"),
    reviewedAt: text("reviewed_at"),
  },
  (t) => [index("eval_samples_workload_day").on(t.workload, t.day), index("eval_samples_review").on(t.review)],
);

export const workloadTransitions = sqliteTable(
  "workload_transitions",
  {
    id: text("id").primaryKey(),
    workload: text("workload").notNull(),
    fromState: text("from_state").notNull(),
    toState: text("to_state").notNull(),
    reason: text("reason").notNull(),
    requestedBy: text("requested_by").notNull(),
    approvedBy: text("approved_by"),
    /** pending | applied */
    status: text("status").notNull(),
    /** JSON: the criteria evaluated, sunset/migration plan, what decommissioning reclaimed. */
    detail: text("detail").notNull(),
    createdAt: text("created_at").notNull(),
    decidedAt: text("decided_at"),
  },
  (t) => [index("workload_transitions_workload").on(t.workload, t.createdAt)],
);

export const evalRecommendations = sqliteTable("eval_recommendations", {
  id: text("id").primaryKey(),
  /** The model candidate evaluated (null: a post-hoc run after a direct catalog PUT). Migration 0019. */
  candidateId: text("candidate_id"),
  model: text("model").notNull(),
  /** JSON {provider, model, from_model}: the target version under evaluation. */
  candidate: text("candidate").notNull(),
  workload: text("workload").notNull(),
  baselineRun: text("baseline_run").notNull(),
  candidateRun: text("candidate_run").notNull(),
  adversarialRun: text("adversarial_run"),
  /** pending (runs in progress) | promote | flag */
  decision: text("decision").notNull(),
  /** JSON list of regressions found. */
  regressions: text("regressions").notNull(),
  /** open | accepted | dismissed */
  status: text("status").notNull(),
  acceptedBy: text("accepted_by"),
  createdAt: text("created_at").notNull(),
});

/**
 * A newer upstream version of one catalog target, evaluated before it goes live. One row per
 * (model, provider, to_model): the watcher records each candidate once. Migration 0019.
 */
export const modelCandidates = sqliteTable(
  "model_candidates",
  {
    id: text("id").primaryKey(),
    model: text("model").notNull(),
    provider: text("provider").notNull(),
    fromModel: text("from_model").notNull(),
    toModel: text("to_model").notNull(),
    /** admin | watcher */
    source: text("source").notNull(),
    /** evaluating | promoted | dismissed */
    status: text("status").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull(),
    decidedBy: text("decided_by"),
    decidedAt: text("decided_at"),
    /** Why a flagged candidate was promoted anyway, or why it was dismissed. */
    reason: text("reason"),
  },
  (t) => [uniqueIndex("model_candidates_target").on(t.model, t.provider, t.toModel)],
);
