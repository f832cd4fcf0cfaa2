/**
 * @module
 * Eval runs: creating one (one `eval-jobs` message per example), and reading one back as a
 * summary (status, progress, pass rate overall and per category, cost, latency percentiles,
 * per-example results) or as a comparison of two runs (per-example regressions/improvements).
 */
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { PolicyBundle, WorkloadPolicy } from "../config/bundle";
import { nusdToUsd } from "../config/money";
import { db } from "../config/store";
import { evalResults, evalRuns } from "../db/workloads-schema";
import type { Env } from "../env";
import { ProblemError } from "../errors/problem";
import { adversarialLibrary, datasetRow, loadExamples } from "./dataset-store";
import type { Example } from "./datasets";
import { ensureEvalKey, ensureJudgeIdentity } from "./identity";
import type { EvalJob } from "./jobs";
import type { CandidatePin } from "./mark";
import { mean, percentile } from "./stats";

export const RunCreate = z
  .object({
    workload: z.string().min(1).max(64),
    suite: z.enum(["golden", "adversarial"]).default("golden"),
    /** Golden: the workload's dataset version (default latest). Adversarial: the library version (default latest). */
    dataset_version: z.number().int().positive().optional(),
    /** Catalog model (default the workload's first allowed chat model). */
    model: z.string().min(1).max(128).optional(),
  })
  .strict();
export type RunCreate = z.infer<typeof RunCreate>;

/** Queue messages per send (the Queues batch limit is 100 messages / 256 KB). */
const SEND_CHUNK = 25;

/** The workload's default model for runs: its first allowed chat model. */
export function defaultModel(bundle: PolicyBundle, workload: WorkloadPolicy): string | undefined {
  return workload.allowed_models.find((m) => bundle.models.get(m)?.kind === "chat");
}

export interface CreateRunOptions {
  env: Env;
  bundle: PolicyBundle;
  body: RunCreate;
  actor: string;
  trigger: string;
  /** Pins a candidate target for every example (upgrade evaluation); internal, not in RunCreate. */
  candidate?: CandidatePin;
}

/**
 * Stores the run and enqueues one job per example.
 * @example const run = await createRun({ env, bundle, body: { workload: "support-bot", suite: "golden" }, actor, trigger: "api" })
 */
export async function createRun(opts: CreateRunOptions): Promise<{ id: string; total: number; dataset_version: number; model: string }> {
  const { env, bundle, body } = opts;
  const workload = bundle.workloads.get(body.workload);
  if (!workload) throw new ProblemError(404, "Not Found", `No workload ${body.workload}.`);
  const model = body.model ?? defaultModel(bundle, workload);
  if (!model) throw new ProblemError(422, "No Model", `Workload ${workload.id} allows no chat model to evaluate.`);
  let examples: Example[];
  let version: number;
  if (body.suite === "adversarial") {
    ({ version, examples } = await adversarialLibrary(env, body.dataset_version));
  } else {
    const row = await datasetRow(env, workload.id, body.dataset_version);
    if (!row) throw new ProblemError(404, "Not Found", `Workload ${workload.id} has no golden dataset${body.dataset_version ? ` version ${body.dataset_version}` : ""}.`);
    version = row.version;
    examples = await loadExamples(env, row);
  }
  if (!(await ensureEvalKey(env, workload))) throw new ProblemError(409, "Workload Decommissioned", `Workload ${workload.id} cannot be evaluated: it is decommissioned.`);
  if (examples.some((e) => e.checks.some((c) => c.type === "judge"))) await ensureJudgeIdentity(env, bundle);
  const id = `run_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`;
  await db(env).insert(evalRuns).values({
    id, workload: workload.id, suite: body.suite, datasetVersion: version, model, candidate: opts.candidate ? JSON.stringify(opts.candidate) : null, total: examples.length,
    trigger: opts.trigger, createdBy: opts.actor, createdAt: new Date().toISOString(),
  });
  const jobs: EvalJob[] = examples.map((example) => ({ kind: "eval", run: id, workload: workload.id, suite: body.suite, model, example, ...(opts.candidate ? { candidate: opts.candidate } : {}) }));
  for (let i = 0; i < jobs.length; i += SEND_CHUNK) {
    await env.EVAL_JOBS.sendBatch(jobs.slice(i, i + SEND_CHUNK).map((j) => ({ body: JSON.stringify(j), contentType: "text" as const })));
  }
  return { id, total: examples.length, dataset_version: version, model };
}

type ResultRow = typeof evalResults.$inferSelect;

export interface RunSummary {
  id: string;
  workload: string;
  suite: string;
  model: string;
  dataset_version: number;
  trigger: string;
  created_at: string;
  /** The candidate target the run pinned (upgrade evaluation), when it did. */
  candidate?: CandidatePin;
  status: "queued" | "running" | "completed";
  progress: { done: number; total: number };
  pass_rate: number | null;
  counts: { pass: number; fail: number; error: number };
  by_category: Record<string, { total: number; pass: number; pass_rate: number }>;
  mean_score: number | null;
  cost_usd: number;
  latency_ms: { p50: number | null; p90: number | null; p99: number | null };
  results?: Array<Record<string, unknown>>;
}

/**
 * Summarises a run from its stored rows (pure).
 * @example summarise(runRow, resultRows, true).pass_rate
 */
export function summarise(run: typeof evalRuns.$inferSelect, rows: readonly ResultRow[], withResults: boolean): RunSummary {
  const counts = { pass: 0, fail: 0, error: 0 };
  const byCategory: RunSummary["by_category"] = {};
  for (const r of rows) {
    counts[r.status as keyof typeof counts]++;
    const c = (byCategory[r.category] ??= { total: 0, pass: 0, pass_rate: 0 });
    c.total++;
    if (r.status === "pass") c.pass++;
  }
  for (const c of Object.values(byCategory)) c.pass_rate = c.pass / c.total;
  const latencies = rows.filter((r) => r.status !== "error").map((r) => r.latencyMs);
  return {
    id: run.id, workload: run.workload, suite: run.suite, model: run.model, dataset_version: run.datasetVersion, trigger: run.trigger, created_at: run.createdAt,
    ...(run.candidate ? { candidate: JSON.parse(run.candidate) as CandidatePin } : {}),
    status: rows.length === 0 ? "queued" : rows.length < run.total ? "running" : "completed",
    progress: { done: rows.length, total: run.total },
    pass_rate: rows.length ? counts.pass / rows.length : null,
    counts,
    by_category: byCategory,
    mean_score: rows.length ? mean(rows.map((r) => r.score)) : null,
    cost_usd: nusdToUsd(rows.reduce((s, r) => s + r.costNusd, 0)),
    latency_ms: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99) },
    ...(withResults ? {
      results: rows.map((r) => ({
        example: r.exampleId, category: r.category, status: r.status, score: r.score, latency_ms: r.latencyMs, cost_usd: nusdToUsd(r.costNusd),
        request_id: r.requestId, output: r.output, detail: JSON.parse(r.detail) as unknown,
      })),
    } : {}),
  };
}

export async function loadRun(env: Env, id: string): Promise<{ run: typeof evalRuns.$inferSelect; rows: ResultRow[] }> {
  const run = await db(env).select().from(evalRuns).where(eq(evalRuns.id, id)).get();
  if (!run) throw new ProblemError(404, "Not Found", `No eval run ${id}.`);
  const rows = await db(env).select().from(evalResults).where(eq(evalResults.runId, id)).orderBy(asc(evalResults.exampleId)).all();
  return { run, rows };
}

export interface RunComparison {
  a: string;
  b: string;
  pass_rate: { a: number | null; b: number | null; delta: number | null };
  regressions: Array<{ example: string; category: string; a: string; b: string; score_a: number; score_b: number }>;
  improvements: Array<{ example: string; category: string; a: string; b: string; score_a: number; score_b: number }>;
  unchanged: number;
  only_in_a: string[];
  only_in_b: string[];
}

/**
 * Per-example comparison of run `a` (baseline) with run `b`: a regression is an example that
 * passed in a and does not pass in b; an improvement the reverse.
 */
export function compareRuns(a: { id: string; rows: readonly ResultRow[] }, b: { id: string; rows: readonly ResultRow[] }): RunComparison {
  const inB = new Map(b.rows.map((r) => [r.exampleId, r]));
  const inA = new Set(a.rows.map((r) => r.exampleId));
  const regressions: RunComparison["regressions"] = [];
  const improvements: RunComparison["improvements"] = [];
  let unchanged = 0;
  for (const ra of a.rows) {
    const rb = inB.get(ra.exampleId);
    if (!rb) continue;
    const entry = { example: ra.exampleId, category: ra.category, a: ra.status, b: rb.status, score_a: ra.score, score_b: rb.score };
    if (ra.status === "pass" && rb.status !== "pass") regressions.push(entry);
    else if (ra.status !== "pass" && rb.status === "pass") improvements.push(entry);
    else unchanged++;
  }
  const rate = (rows: readonly ResultRow[]) => (rows.length ? rows.filter((r) => r.status === "pass").length / rows.length : null);
  const pa = rate(a.rows);
  const pb = rate(b.rows);
  return {
    a: a.id, b: b.id,
    pass_rate: { a: pa, b: pb, delta: pa !== null && pb !== null ? pb - pa : null },
    regressions, improvements, unchanged,
    only_in_a: a.rows.filter((r) => !inB.has(r.exampleId)).map((r) => r.exampleId),
    only_in_b: b.rows.filter((r) => !inA.has(r.exampleId)).map((r) => r.exampleId),
  };
}
