/**
 * @module
 * The workloads capability's scheduled jobs (registered in workers/cron.ts): the adversarial
 * suite against every active workload's real configured model, the daily quality-regression
 * test, and the dataset quality review (consistent failures, duplicates, categories below quota).
 */
import { and, desc, eq, inArray } from "drizzle-orm";
import { getBundle } from "../config/loader";
import { db } from "../config/store";
import { datasets, evalResults, evalRuns } from "../db/workloads-schema";
import type { Env } from "../env";
import { DRILL_WORKLOAD } from "../routing/drills";
import { loadExamples } from "./dataset-store";
import { coverage, reviewDataset, type ExampleOutcome } from "./datasets";
import { JUDGE_WORKLOAD } from "./identity";
import { checkQualityRegressions } from "./quality";
import { createRun } from "./runs";

const SYSTEM_WORKLOADS = new Set([DRILL_WORKLOAD, JUDGE_WORKLOAD]);

/** Active workloads: not decommissioned, not the gateway's own drill/judge identities. */
async function activeWorkloads(env: Env) {
  const bundle = await getBundle(env, { waitUntil: () => {} });
  return { bundle, workloads: [...bundle.workloads.values()].filter((w) => w.lifecycle !== "decommissioned" && !SYSTEM_WORKLOADS.has(w.id)) };
}

/** Starts one adversarial run per active workload (latest library, each workload's own model). */
export async function runScheduledAdversarial(env: Env): Promise<string[]> {
  const { bundle, workloads } = await activeWorkloads(env);
  const runs: string[] = [];
  for (const w of workloads) {
    try {
      runs.push((await createRun({ env, bundle, body: { workload: w.id, suite: "adversarial" }, actor: "system:cron", trigger: "cron" })).id);
    } catch (err) {
      console.warn("scheduled adversarial run not started", { workload: w.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return runs;
}

/** The daily regression test for every workload that samples production traffic. */
export async function runQualityChecks(env: Env, now: number): Promise<void> {
  const { workloads } = await activeWorkloads(env);
  await checkQualityRegressions(env, workloads.filter((w) => (w.sampling?.rate ?? 0) > 0).map((w) => ({ id: w.id, margin: w.sampling?.regression_margin })), now);
}

/** Reviews the latest dataset of every active workload and stores the findings on its index row. */
export async function reviewDatasets(env: Env, now: number): Promise<void> {
  const { workloads } = await activeWorkloads(env);
  const d = db(env);
  for (const w of workloads) {
    const row = await d.select().from(datasets).where(eq(datasets.workload, w.id)).orderBy(desc(datasets.version)).get();
    if (!row || row.archivedAt) continue;
    // Outcomes of this version's golden runs, on every model they were run against.
    const golden = await d.select({ id: evalRuns.id, model: evalRuns.model }).from(evalRuns)
      .where(and(eq(evalRuns.workload, w.id), eq(evalRuns.suite, "golden"), eq(evalRuns.datasetVersion, row.version))).all();
    const modelOf = new Map(golden.map((r) => [r.id, r.model]));
    const results = golden.length ? await d.select({ runId: evalResults.runId, exampleId: evalResults.exampleId, status: evalResults.status }).from(evalResults).where(inArray(evalResults.runId, golden.map((r) => r.id).slice(0, 90))).all() : [];
    const outcomes: ExampleOutcome[] = results.map((r) => ({ exampleId: r.exampleId, model: modelOf.get(r.runId) ?? "", status: r.status as ExampleOutcome["status"] }));
    const examples = await loadExamples(env, row);
    const review = reviewDataset(examples, outcomes, coverage(examples, w.input_categories, w.coverage?.min_examples), new Date(now).toISOString());
    await d.update(datasets).set({ review: JSON.stringify(review) }).where(and(eq(datasets.workload, w.id), eq(datasets.version, row.version)));
  }
}
