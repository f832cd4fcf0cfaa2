/**
 * @module
 * Eval calls through the real gateway pipeline, in-process: the same handleChat and
 * handleEmbeddings the data plane serves, so budgets, DLP, routing and usage events all apply.
 * Each request carries an eval label (./mark.ts) that the pipeline copies into its usage event.
 */
import type { Env } from "../env";
import { handleChat } from "../gateway/chat";
import { handleEmbeddings } from "../gateway/embeddings";
import { evalApiKey } from "./identity";
import { markEval, type EvalLabel } from "./mark";

export interface PipelineAnswer {
  status: number;
  requestId: string;
  /** Assistant text ("" for errors and tool-call-only answers). */
  output: string;
  /** The error code of a refusal or failure. */
  errorCode?: string;
  errorMessage?: string;
  tokensIn: number;
  tokensOut: number;
  dataClass: string | null;
  provider: string | null;
  /** The upstream model that answered (a pinned candidate's version when one was pinned). */
  upstreamModel: string | null;
  latencyMs: number;
}

interface CallOptions {
  env: Env;
  workload: string;
  label: EvalLabel;
  requestId: string;
  path: "chat/completions" | "embeddings";
  body: Record<string, unknown>;
  /** Declared class: a judge or embedding call about a restricted answer is itself restricted. */
  dataClass?: string;
}

async function call(opts: CallOptions): Promise<{ res: Response; json: Record<string, unknown>; latencyMs: number }> {
  const apiKey = await evalApiKey(opts.env, opts.workload);
  const request = markEval(new Request(`https://eval.internal/v1/${opts.path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${apiKey}`, "content-type": "application/json", "x-request-id": opts.requestId, "user-agent": "switchyard-evals",
      ...(opts.dataClass ? { "x-data-class": opts.dataClass } : {}),
      // A candidate's answers must neither come from nor land in the production model's cache.
      ...(opts.label.candidate ? { "x-cache": "bypass" } : {}),
    },
    body: JSON.stringify(opts.body),
  }), opts.label);
  const pending: Promise<unknown>[] = [];
  const deps = { env: opts.env, ctx: { waitUntil: (p: Promise<unknown>) => void pending.push(p) } };
  const started = Date.now();
  const res = await (opts.path === "embeddings" ? handleEmbeddings(request, deps) : handleChat(request, deps));
  let json: Record<string, unknown> = {};
  try {
    json = (await res.json()) as Record<string, unknown>;
  } catch {
    json = {};
  }
  const latencyMs = Date.now() - started;
  // Usage events leave through the queue as for any request; wait so the job's work is complete.
  await Promise.allSettled(pending);
  return { res, json, latencyMs };
}

/**
 * One chat completion as the given workload.
 * @example await evalChat({ env, workload: "support-bot", label, requestId: "eval-1", body: { model, messages } })
 */
export async function evalChat(opts: Omit<CallOptions, "path">): Promise<PipelineAnswer> {
  const { res, json, latencyMs } = await call({ ...opts, path: "chat/completions" });
  const choice = (json.choices as Array<{ message?: { content?: string | null } }> | undefined)?.[0];
  const usage = json.usage as { prompt_tokens?: number; completion_tokens?: number } | undefined;
  const error = json.error as { code?: string; message?: string } | undefined;
  return {
    status: res.status,
    requestId: res.headers.get("x-request-id") ?? opts.requestId,
    output: typeof choice?.message?.content === "string" ? choice.message.content : "",
    ...(error ? { errorCode: error.code ?? "error", errorMessage: error.message } : {}),
    tokensIn: usage?.prompt_tokens ?? 0,
    tokensOut: usage?.completion_tokens ?? 0,
    dataClass: res.headers.get("x-switchyard-data-class"),
    provider: res.headers.get("x-switchyard-provider"),
    upstreamModel: res.headers.get("x-switchyard-model"),
    latencyMs,
  };
}

/** Embeds texts as the given workload; throws with the gateway's message on refusal. */
export async function evalEmbed(opts: Omit<CallOptions, "path" | "body"> & { model: string; texts: string[] }): Promise<number[][]> {
  const { res, json } = await call({ ...opts, path: "embeddings", body: { model: opts.model, input: opts.texts } });
  if (res.status !== 200) throw new Error(`embeddings refused (${res.status}): ${(json.error as { message?: string } | undefined)?.message ?? ""}`);
  return (json.data as Array<{ embedding: number[] }>).map((d) => d.embedding);
}
