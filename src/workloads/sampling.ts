/**
 * @module
 * Production quality sampling. The data plane decides per request (`sampling.rate` percent of
 * the workload's successful JSON answers) and, after the answer has gone to the client, puts
 * the pair on `eval-jobs` (./hook.ts); the consumer scores it with the workload's sampling
 * evaluators and stores the redacted pair and its score, keyed by request id. Restricted
 * requests are sampled as metadata only unless the workload allows in-zone evaluation, and even
 * then only the score is stored, never the pair.
 */
import type { WorkloadPolicy } from "../config/bundle";
import { zoneDb } from "../config/store";
import { evalSamples } from "../db/workloads-schema";
import { compileDlpPolicy, DEFAULT_DLP_POLICY } from "../dlp";
import type { Env } from "../env";
import type { ChatCompletionRequest } from "../gateway/schemas";
import { redactChatRequest } from "../guardrails/dlp-request";
import { getBundle } from "../config/loader";
import { eq } from "drizzle-orm";
import { combine, runChecks } from "./evaluators";
import { pipelineDeps } from "./jobs";

export interface SampleJob {
  kind: "sample";
  request_id: string;
  workload: string;
  ts: string;
  data_class: string;
  metadata_only: boolean;
  /** Route this sample to the human review queue too. */
  review: boolean;
  /** The request's messages (as the client sent them; redacted by the consumer before storing). */
  messages?: Array<{ role: string; content?: unknown }>;
  /** The answer the client received (already through response DLP). */
  output?: string;
  model?: string;
}

export function isSampleJob(v: unknown): v is SampleJob {
  const j = v as Partial<SampleJob> | null;
  return !!j && j.kind === "sample" && typeof j.request_id === "string" && typeof j.workload === "string";
}

/**
 * Whether this request is sampled, and whether it also goes to human review. `rand` is a
 * uniform number in [0, 1) (Math.random in production, fixed in tests).
 * @example sampleDecision(workload, Math.random())
 */
export function sampleDecision(workload: Pick<WorkloadPolicy, "sampling">, rand: number, rand2 = rand): { sampled: boolean; review: boolean } {
  const s = workload.sampling;
  if (!s || s.rate <= 0) return { sampled: false, review: false };
  const sampled = rand * 100 < s.rate;
  return { sampled, review: sampled && rand2 * 100 < (s.review_rate ?? 0) };
}

/** Whether a sampled request of this class may carry its content to the evaluator. */
export function contentAllowed(workload: Pick<WorkloadPolicy, "sampling">, dataClass: string): boolean {
  return dataClass !== "restricted" || workload.sampling?.restricted_in_zone === true;
}

/** Scores one sample and stores it once (a redelivered job finds its row and writes nothing). */
export async function scoreSample(env: Env, job: SampleJob): Promise<boolean> {
  const d = zoneDb(env);
  if (await d.select({ id: evalSamples.requestId }).from(evalSamples).where(eq(evalSamples.requestId, job.request_id)).get()) return true;
  const bundle = await getBundle(env, { waitUntil: () => {} });
  const workload = bundle.workloads.get(job.workload);
  const restricted = job.data_class === "restricted";
  let score: number | null = null;
  let detail: Record<string, unknown> = { metadata_only: job.metadata_only };
  let pair: string | null = null;
  if (!job.metadata_only && job.messages && job.output !== undefined && workload) {
    const checks = workload.sampling?.evaluators ?? [];
    if (checks.length) {
      const results = await runChecks({ output: job.output, messages: job.messages }, checks, pipelineDeps(env, job.workload, { run: "sample", kind: "golden", example: job.request_id }, job.data_class));
      const combined = combine(results);
      score = combined.status === "error" ? null : combined.score;
      detail = { status: combined.status, checks: results.map((r) => ({ type: r.type, pass: r.pass, score: r.score, ...(restricted ? {} : { reason: r.reason }), ...(r.error ? { error: r.error } : {}) })) };
    }
    if (!restricted) {
      // The stored pair is redacted like a log body: the request as DLP let it through, the answer as the client got it.
      const policy = workload.dlpPolicy ?? compileDlpPolicy(DEFAULT_DLP_POLICY);
      const redacted = redactChatRequest(policy, { model: job.model ?? "", messages: job.messages } as unknown as ChatCompletionRequest).body;
      pair = JSON.stringify({ messages: redacted.messages, output: job.output });
    }
  }
  await d.insert(evalSamples).values({
    requestId: job.request_id, workload: job.workload, ts: job.ts, day: job.ts.slice(0, 10), dataClass: job.data_class,
    metadataOnly: pair === null ? 1 : 0, pair, score, detail: JSON.stringify(detail),
    review: job.review && pair !== null ? "pending" : "none", humanScore: null, reviewer: null, reviewedAt: null,
  }).onConflictDoNothing();
  return true;
}
