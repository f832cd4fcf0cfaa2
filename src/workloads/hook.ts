/**
 * @module
 * The data plane's one workloads hook, around the chat route: it adds the deprecation headers
 * (`Sunset`, RFC 8594, and `Warning`) to a deprecated workload's answers, and for a sampled
 * request puts the request/response pair on `eval-jobs` through `waitUntil` after the answer is
 * complete, so sampling never sits on the hot path. Unsampled requests pay one map lookup
 * (the key hash is memoised and the bundle cached). A sampled stream is enqueued after it ends,
 * from the text the pipeline assembled for its own usage event (src/gateway/stream-outcome.ts):
 * the client's stream is neither teed nor re-read. A stream that broke off is not sampled.
 */
import type { MiddlewareHandler } from "hono";
import { getBundle } from "../config/loader";
import type { WorkloadPolicy } from "../config/bundle";
import type { Env } from "../env";
import { apiKeyHash } from "../gateway/context";
import { streamOutcome } from "../gateway/stream-outcome";
import { contentAllowed, sampleDecision, type SampleJob } from "./sampling";

async function callerWorkload(request: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<WorkloadPolicy | undefined> {
  try {
    const hash = await apiKeyHash(request);
    const bundle = await getBundle(env, ctx);
    const key = bundle.keysByHash.get(hash);
    return key ? bundle.workloads.get(key.workload) : undefined;
  } catch {
    return undefined; // no or malformed key: the pipeline answers 401 itself
  }
}

/** Header-safe text: printable ASCII only, bounded. */
const headerText = (s: string, max = 200) => s.replace(/[^\x20-\x7e]/g, " ").replace(/"/g, "'").slice(0, max);

/**
 * Deprecation headers of a workload, or none.
 * @example deprecationHeaders(workload) // { Sunset: "Wed, 31 Dec 2026 00:00:00 GMT", Warning: '299 switchyard "..."' }
 */
export function deprecationHeaders(w: Pick<WorkloadPolicy, "id" | "lifecycle" | "sunset_at" | "migration_plan">): Record<string, string> {
  if (w.lifecycle !== "deprecated") return {};
  const sunset = w.sunset_at ? new Date(w.sunset_at) : undefined;
  const when = sunset ? ` and stops working at ${sunset.toISOString()}` : "";
  const plan = w.migration_plan ? `; migration plan: ${headerText(w.migration_plan)}` : "";
  return {
    ...(sunset ? { Sunset: sunset.toUTCString() } : {}),
    Deprecation: "true",
    Warning: `299 switchyard "Workload ${w.id} is deprecated${when}${plan}"`,
  };
}

async function enqueue(env: Env, job: SampleJob): Promise<void> {
  try {
    await env.EVAL_JOBS.send(JSON.stringify(job), { contentType: "text" });
  } catch (err) {
    console.warn("sample not enqueued", { error: err instanceof Error ? err.message : String(err) });
  }
}

/** What was answered: the JSON completion's text, or the stream's assembled text and final class. */
interface SampledAnswer {
  /** Absent: metadata only. */
  output?: string;
  dataClass: string | null;
}

async function sampleJob(w: WorkloadPolicy, request: Request | undefined, requestId: string, answer: SampledAnswer, review: boolean): Promise<SampleJob> {
  const dataClass = answer.dataClass ?? w.default_data_class;
  const base = { kind: "sample" as const, request_id: requestId, workload: w.id, ts: new Date().toISOString(), data_class: dataClass, review };
  if (!request || answer.output === undefined || !contentAllowed(w, dataClass)) return { ...base, metadata_only: true };
  const body = (await request.json()) as { model?: string; messages?: SampleJob["messages"] };
  return { ...base, metadata_only: false, model: body.model, messages: body.messages, output: answer.output };
}

/** A JSON answer's text; its body is not read at all when only metadata may be sampled. */
async function jsonAnswer(response: Response, contentWanted: boolean): Promise<SampledAnswer> {
  const dataClass = response.headers.get("x-switchyard-data-class");
  if (!contentWanted) return { dataClass };
  const completion = (await response.clone().json()) as { choices?: Array<{ message?: { content?: string | null } }> };
  return { output: completion.choices?.[0]?.message?.content ?? "", dataClass };
}

/** Hono middleware for POST /v1/chat/completions (mounted after residency forwarding). */
export const workloadHook: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const w = await callerWorkload(c.req.raw, c.env, c.executionCtx);
  const decision = w ? sampleDecision(w, Math.random(), Math.random()) : { sampled: false, review: false };
  // Only a sampled request is copied (before the pipeline reads it); restricted ones never are.
  const copy = decision.sampled && w && contentAllowed(w, w.default_data_class) ? c.req.raw.clone() : undefined;
  await next();
  if (!w) return;
  // Read before the deprecation headers replace the Response the pipeline attached it to.
  const streamed = streamOutcome(c.res);
  const headers = deprecationHeaders(w);
  if (Object.keys(headers).length) {
    c.res = new Response(c.res.body, c.res);
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  }
  const res = c.res;
  if (!decision.sampled || res.status !== 200) return;
  const requestId = res.headers.get("x-request-id") ?? crypto.randomUUID();
  let answer: Promise<SampledAnswer | undefined>;
  if (streamed) {
    // Settles when the stream has ended (the client has it all by then); broken streams are skipped.
    answer = streamed.then((o) => (o && !o.incomplete ? { output: o.content, dataClass: o.dataClass } : undefined));
  } else if ((res.headers.get("content-type") ?? "").includes("application/json")) {
    const dataClass = res.headers.get("x-switchyard-data-class") ?? w.default_data_class;
    answer = jsonAnswer(res, copy !== undefined && contentAllowed(w, dataClass));
  } else {
    return;
  }
  c.executionCtx.waitUntil(answer
    .then(async (a) => (a ? enqueue(c.env, await sampleJob(w, copy, requestId, a, decision.review)) : undefined))
    .catch((err) => console.warn("sample not taken", { error: err instanceof Error ? err.message : String(err) })));
};
