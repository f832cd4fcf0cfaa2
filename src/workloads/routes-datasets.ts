/**
 * @module
 * Admin routes for datasets and eval runs: `/workloads/{id}/datasets`, `/evals/runs`,
 * `/evals/adversarial`. Team owners manage their own team's workloads; runs and datasets of
 * restricted workloads never return content beyond what was stored (metadata only).
 */
import { desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { requireTeamAccess } from "../admin/auth";
import { adminRoute, type AdminContext, type AdminRoute } from "../admin/router";
import { getBundle } from "../config/loader";
import { ResourceId } from "../config/schemas";
import { db, eq as eqCfg, schema, zoneDb } from "../config/store";
import { evalRuns, evalSamples } from "../db/workloads-schema";
import type { Env } from "../env";
import { ProblemError } from "../errors/problem";
import { DEFAULT_MAX_BODY_BYTES, readBodyText } from "../gateway/body";
import { ADVERSARIAL_LIBRARY, adversarialLibrary, datasetRow, datasetView, listDatasets, loadExamples, saveDataset } from "./dataset-store";
import { DatasetError, ExampleIn, parseExamples, SAMPLE_EXAMPLE_PREFIX, type Example } from "./datasets";
import { Check } from "./evaluators";
import { compareRuns, createRun, loadRun, RunCreate, summarise } from "./runs";
import type { WorkloadEvalSettings } from "./settings";

type Ctx = AdminContext<unknown>;

function workloadId(params: Record<string, string>): string {
  const parsed = ResourceId.safeParse(params.id);
  if (!parsed.success) throw new ProblemError(400, "Invalid Id", "Workload ids are lowercase letters, digits, '.', '_' and '-'.");
  return parsed.data;
}

/** The workload row (404 when missing) after checking the caller may act on its team. */
export async function ownedWorkload(c: Pick<Ctx, "env" | "principal">, id: string) {
  const row = await db(c.env).select().from(schema.workloads).where(eqCfg(schema.workloads.id, id)).get();
  if (!row) throw new ProblemError(404, "Not Found", `No workload ${id}.`);
  requireTeamAccess(c.principal, row.team);
  return { row, spec: JSON.parse(row.spec) as WorkloadEvalSettings & { lifecycle: string; team: string; default_data_class: string } };
}

async function examplesFromBody(env: Env, request: Request): Promise<Example[]> {
  const text = await readBodyText(request, Number(env.MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES));
  try {
    return await parseExamples(text);
  } catch (err) {
    if (err instanceof DatasetError) throw new ProblemError(400, "Invalid Dataset", err.message, err.errors.slice(0, 50));
    throw err;
  }
}

const FromSamples = z
  .object({
    request_ids: z.array(z.string().min(1).max(128)).min(1).max(500),
    category: z.string().min(1).max(64),
    checks: z.array(Check).max(20).default([]),
    /** Keep the sampled answer as the example's expected value (default true). */
    expected_from_answer: z.boolean().default(true),
  })
  .strict();

const NUMBER = /^[1-9]\d{0,8}$/;

export const datasetRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "post", path: "/workloads/:id/datasets", tag: "evaluations", roles: ["team-owner"], status: 201,
    summary: "Publish a new golden dataset version (JSON array, {examples}, or JSONL; each {input, expected?, category, checks})",
    handler: async (c) => {
      const { row, spec } = await ownedWorkload(c, workloadId(c.params));
      const examples = await examplesFromBody(c.env, c.request);
      const saved = await saveDataset(c.env, { workload: row.id, suite: "golden", examples, declared: spec.input_categories, minExamples: spec.coverage?.min_examples, actor: c.principal.sub });
      return { ...datasetView(saved.row), coverage_detail: saved.coverage };
    },
  }),
  adminRoute({
    method: "get", path: "/workloads/:id/datasets", tag: "evaluations", roles: ["auditor", "team-owner"], summary: "List a workload's dataset versions",
    handler: async (c) => {
      const { row } = await ownedWorkload(c, workloadId(c.params));
      return { data: (await listDatasets(c.env, row.id)).map(datasetView) };
    },
  }),
  adminRoute({
    method: "get", path: "/workloads/:id/datasets/:version", tag: "evaluations", roles: ["auditor", "team-owner"],
    summary: "One dataset version with its examples (?examples=false for the index row only)",
    handler: async (c) => {
      const { row } = await ownedWorkload(c, workloadId(c.params));
      if (!NUMBER.test(c.params.version)) throw new ProblemError(400, "Invalid Version", "version is a positive integer.");
      const ds = await datasetRow(c.env, row.id, Number(c.params.version));
      if (!ds) throw new ProblemError(404, "Not Found", `Workload ${row.id} has no dataset version ${c.params.version}.`);
      return { ...datasetView(ds), ...(c.query.get("examples") === "false" ? {} : { data: await loadExamples(c.env, ds) }) };
    },
  }),
  adminRoute({
    method: "post", path: "/workloads/:id/datasets/from-samples", tag: "evaluations", roles: ["team-owner"], status: 201, body: FromSamples,
    summary: "Publish a new version: the latest examples plus the given production samples",
    handler: async (c) => {
      const { row, spec } = await ownedWorkload(c, workloadId(c.params));
      const samples = await zoneDb(c.env).select().from(evalSamples).where(inArray(evalSamples.requestId, c.body.request_ids)).all();
      const usable = samples.filter((s) => s.workload === row.id && s.pair);
      const unusable = c.body.request_ids.filter((id) => !usable.some((s) => s.requestId === id));
      if (unusable.length) throw new ProblemError(422, "Samples Unusable", `Not sampled with content for workload ${row.id} (restricted samples are metadata only): ${unusable.slice(0, 10).join(", ")}.`);
      const latest = await datasetRow(c.env, row.id);
      const base = latest ? await loadExamples(c.env, latest) : [];
      const added = usable.map((s) => {
        const pair = JSON.parse(s.pair!) as { messages: Example["input"]["messages"]; output: string };
        return ExampleIn.parse({ id: `${SAMPLE_EXAMPLE_PREFIX}${s.requestId}`.slice(0, 128), input: { messages: pair.messages }, category: c.body.category, checks: c.body.checks, ...(c.body.expected_from_answer ? { expected: pair.output } : {}) });
      });
      const merged = [...base, ...added.filter((a) => !base.some((b) => b.id === a.id))] as Example[];
      const saved = await saveDataset(c.env, { workload: row.id, suite: "golden", examples: merged, declared: spec.input_categories, minExamples: spec.coverage?.min_examples, actor: c.principal.sub });
      return { ...datasetView(saved.row), added: added.length };
    },
  }),
  adminRoute({
    method: "post", path: "/evals/runs", tag: "evaluations", roles: ["team-owner"], body: RunCreate, status: 202,
    summary: "Start an eval run: one eval-jobs message per example (golden dataset or adversarial library)",
    handler: async (c) => {
      await ownedWorkload(c, c.body.workload);
      const bundle = await getBundle(c.env, { waitUntil: c.waitUntil });
      const run = await createRun({ env: c.env, bundle, body: c.body, actor: c.principal.sub, trigger: "api" });
      return { ...run, status: "queued", suite: c.body.suite, workload: c.body.workload };
    },
  }),
  adminRoute({
    method: "get", path: "/evals/runs", tag: "evaluations", roles: ["auditor", "team-owner"], summary: "List eval runs (?workload=)",
    handler: async (c) => {
      const workload = c.query.get("workload");
      if (workload) await ownedWorkload(c, workload);
      else if (c.principal.role === "team-owner") throw new ProblemError(400, "Workload Required", "Team owners list runs per workload (?workload=).");
      const q = db(c.env).select().from(evalRuns);
      const rows = await (workload ? q.where(eq(evalRuns.workload, workload)) : q).orderBy(desc(evalRuns.createdAt)).limit(100).all();
      return { data: rows.map((r) => ({ id: r.id, workload: r.workload, suite: r.suite, model: r.model, dataset_version: r.datasetVersion, total: r.total, trigger: r.trigger, created_at: r.createdAt })) };
    },
  }),
  adminRoute({
    method: "get", path: "/evals/runs/:id", tag: "evaluations", roles: ["auditor", "team-owner"],
    summary: "Run status, progress, pass rate overall and per category, cost, latency percentiles and per-example results",
    handler: async (c) => {
      const { run, rows } = await loadRun(c.env, String(c.params.id).slice(0, 64));
      await ownedWorkload(c, run.workload);
      return summarise(run, rows, c.query.get("results") !== "false");
    },
  }),
  adminRoute({
    method: "get", path: "/evals/runs/:id/compare/:other", tag: "evaluations", roles: ["auditor", "team-owner"],
    summary: "Compare two runs per example: regressions and improvements of the second against the first",
    handler: async (c) => {
      const a = await loadRun(c.env, String(c.params.id).slice(0, 64));
      const b = await loadRun(c.env, String(c.params.other).slice(0, 64));
      await ownedWorkload(c, a.run.workload);
      await ownedWorkload(c, b.run.workload);
      return compareRuns({ id: a.run.id, rows: a.rows }, { id: b.run.id, rows: b.rows });
    },
  }),
  adminRoute({
    method: "get", path: "/evals/adversarial", tag: "evaluations", roles: ["auditor", "team-owner"], summary: "The adversarial library: latest version and its cases (?version=)",
    handler: async (c) => {
      const v = c.query.get("version");
      if (v !== null && !NUMBER.test(v)) throw new ProblemError(400, "Invalid Version", "version is a positive integer.");
      const lib = await adversarialLibrary(c.env, v === null ? undefined : Number(v));
      const versions = (await listDatasets(c.env, ADVERSARIAL_LIBRARY)).map((r) => r.version);
      return { version: lib.version, versions: [...versions, 1], cases: lib.examples };
    },
  }),
  adminRoute({
    method: "post", path: "/evals/adversarial", tag: "evaluations", roles: [], status: 201,
    summary: "Publish a new adversarial library version (the full case list, JSON or JSONL)",
    handler: async (c) => {
      const examples = await examplesFromBody(c.env, c.request);
      const saved = await saveDataset(c.env, { workload: ADVERSARIAL_LIBRARY, suite: "adversarial", examples, actor: c.principal.sub });
      return datasetView(saved.row);
    },
  }),
];
