/**
 * @module
 * The `eval-jobs` consumer. An `eval` job runs one example through the gateway pipeline as its
 * workload, scores the answer with the example's checks and writes one result row; a `sample`
 * job scores one sampled production answer (./sampling.ts). Writes are keyed (run, example) and
 * request id, and a job whose row exists is acknowledged without calling any model: a
 * redelivered job changes nothing.
 */
import { and, eq } from "drizzle-orm";
import { costNusd } from "../config/money";
import { getBundle } from "../config/loader";
import { db } from "../config/store";
import { evalResults } from "../db/workloads-schema";
import type { Env } from "../env";
import { isSampleDerived, type Example } from "./datasets";
import { combine, runChecks, type CheckResult, type EvaluatorDeps } from "./evaluators";
import { JUDGE_WORKLOAD } from "./identity";
import type { CandidatePin, EvalLabel } from "./mark";
import { evalChat, evalEmbed } from "./pipeline";
import { isSampleJob, scoreSample, type SampleJob } from "./sampling";

export interface EvalJob {
  kind: "eval";
  run: string;
  workload: string;
  suite: "golden" | "adversarial";
  model: string;
  example: Example;
  /** Pinned candidate target (upgrade evaluation before promotion); absent: the catalog as it is. */
  candidate?: CandidatePin;
}

export type EvalQueueMessage = EvalJob | SampleJob;

function isEvalJob(v: unknown): v is EvalJob {
  const j = v as Partial<EvalJob> | null;
  return !!j && j.kind === "eval" && typeof j.run === "string" && typeof j.workload === "string" && typeof j.example === "object";
}

/** Model helpers for evaluators, through the pipeline: embeddings as the workload, the judge as its own workload. */
export function pipelineDeps(env: Env, workload: string, evaluated: EvalLabel, dataClass?: string): EvaluatorDeps {
  // Judge and embedding calls use their own models: a candidate pin is for the evaluated call only.
  const { candidate: _pin, ...label } = evaluated;
  let n = 0;
  const id = (kind: string) => `${label.run}-${label.example ?? "x"}-${kind}${n++}`.slice(0, 128);
  return {
    embed: (model, texts) => evalEmbed({ env, workload, label: { ...label, kind: "embedding" }, requestId: id("emb"), model, texts, dataClass }),
    async judge(call) {
      const bundle = await getBundle(env, { waitUntil: () => {} });
      const model = call.model ?? bundle.workloads.get(JUDGE_WORKLOAD)?.allowed_models[0];
      if (!model) throw new Error("no judge model is configured");
      const answer = await evalChat({
        // The judge sees the answer, so its call carries the answer's class (restricted stays restricted).
        env, workload: JUDGE_WORKLOAD, label: { ...label, kind: "judge" }, requestId: id("judge"), dataClass,
        body: { model, temperature: 0, max_tokens: 400, messages: [{ role: "system", content: call.system }, { role: "user", content: call.user }] },
      });
      if (answer.status !== 200) throw new Error(`judge call refused (${answer.status} ${answer.errorCode ?? ""}): ${answer.errorMessage ?? ""}`.trim());
      return answer.output;
    },
  };
}

/** Guardrail refusals stop an attack at the gateway: in an adversarial suite they count as passes. */
const GUARDRAIL_CODES = /^(dlp_|data_class_not_allowed|tool_not_authorized)/;

/** Runs one example; writes its result unless one exists. Returns false when the job should be retried. */
export async function runEvalJob(env: Env, job: EvalJob): Promise<boolean> {
  const d = db(env);
  const done = await d.select({ s: evalResults.status }).from(evalResults).where(and(eq(evalResults.runId, job.run), eq(evalResults.exampleId, job.example.id))).get();
  if (done) return true;
  const label: EvalLabel = { run: job.run, kind: job.suite, example: job.example.id, ...(job.candidate ? { candidate: job.candidate } : {}) };
  const requestId = `eval-${job.run}-${job.example.id}`.slice(0, 128);
  const answer = await evalChat({ env, workload: job.workload, label, requestId, body: { ...job.example.input, model: job.model, stream: false } });
  // A rate limit is transient: let the queue redeliver (with backoff) instead of recording an error.
  if (answer.status === 429 && answer.errorCode !== "budget_exceeded") return false;
  const bundle = await getBundle(env, { waitUntil: () => {} });
  const price = bundle.models.get(job.model)?.price;
  let status: "pass" | "fail" | "error";
  let score = 0;
  let checks: CheckResult[] = [];
  let reason: string;
  if (answer.status === 200) {
    checks = await runChecks({ output: answer.output, expected: job.example.expected, messages: job.example.input.messages }, job.example.checks, pipelineDeps(env, job.workload, label, answer.dataClass ?? undefined));
    ({ status, score } = combine(checks));
    reason = status === "error" ? "an evaluator failed" : `${checks.filter((c) => c.pass).length}/${checks.length} checks passed`;
  } else if (job.suite === "adversarial" && answer.status === 403 && GUARDRAIL_CODES.test(answer.errorCode ?? "")) {
    status = "pass";
    score = 1;
    reason = `blocked by a guardrail (${answer.errorCode})`;
  } else {
    status = "error";
    reason = `the gateway answered ${answer.status} ${answer.errorCode ?? ""}`.trim();
  }
  // Restricted answers are metadata only: never a body or fragment in a store. So are answers to
  // examples made from production samples (`sample_<request id>`): results live in the control
  // plane, which holds no production content (README "What lives where").
  const restricted = answer.dataClass === "restricted" || bundle.workloads.get(job.workload)?.default_data_class === "restricted" || isSampleDerived(job.example.id);
  await d.insert(evalResults).values({
    runId: job.run, exampleId: job.example.id, category: job.example.category, status, score,
    latencyMs: answer.latencyMs, costNusd: price ? costNusd(price, answer.tokensIn, answer.tokensOut) : 0, requestId: answer.requestId,
    output: restricted ? null : answer.output.slice(0, 8_000),
    detail: JSON.stringify({
      reason, http_status: answer.status, error_code: answer.errorCode ?? null, provider: answer.provider, upstream_model: answer.upstreamModel, data_class: answer.dataClass,
      checks: checks.map((c) => ({ type: c.type, pass: c.pass, score: c.score, reason: restricted ? undefined : c.reason, ...(c.error ? { error: c.error } : {}), ...(c.detail && !restricted ? { detail: c.detail } : {}) })),
    }),
    createdAt: new Date().toISOString(),
  }).onConflictDoNothing();
  return true;
}

/**
 * Handles one batch of `eval-jobs`. Each message is acknowledged or retried on its own, so one
 * failing example never re-runs the others.
 * @example await handleEvalBatch(batch, env)
 */
export async function handleEvalBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  // A few examples at a time: model calls dominate, and a batch of 20 one by one is slow.
  const queue = [...batch.messages];
  const worker = async () => {
    for (let m = queue.shift(); m; m = queue.shift()) await handleMessage(m, env);
  };
  await Promise.all(Array.from({ length: BATCH_CONCURRENCY }, worker));
}

const BATCH_CONCURRENCY = 5;

async function handleMessage(message: Message<unknown>, env: Env): Promise<void> {
  {
    let body: unknown = message.body;
    if (typeof body === "string") {
      try {
        body = JSON.parse(body);
      } catch {
        body = undefined;
      }
    }
    try {
      const ok = isEvalJob(body) ? await runEvalJob(env, body) : isSampleJob(body) ? await scoreSample(env, body) : true;
      if (!isEvalJob(body) && !isSampleJob(body)) console.error("eval-jobs message of unknown shape; dropped");
      if (ok) message.ack();
      else message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    } catch (err) {
      console.error("eval job failed; will be retried", { error: err instanceof Error ? err.message : String(err) });
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    }
  }
}
