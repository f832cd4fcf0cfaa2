/**
 * @module
 * The semantic cache's embeddings, computed through the gateway's own provider path for the
 * catalog embeddings model the workload names (`cache.embedding_model`): routed like any call
 * (residency, breakers, fallback), reserved and settled against the team's budget and limits,
 * and recorded as a usage event of its own (detail `purpose: "semantic_cache"`), so what the
 * cache costs shows in the team's usage and chargeback.
 *
 * Never an error to the client: any failure (unknown or wrong-kind model, class not allowed on
 * it, budget refusal, provider error, timeout, malformed vector) returns undefined and the lookup
 * counts as a miss. The whole call is bounded by {@link CACHE_EMBED_DEADLINE_MS}.
 */
import type { PolicyBundle } from "../config/bundle";
import { costNusd } from "../config/money";
import type { DataClass } from "../config/schemas";
import { addDetail, blankUsage, type GatewayDeps } from "../gateway/context";
import type { Caller } from "../gateway/policy";
import type { EmbeddingsRequest } from "../gateway/schemas";
import { upstreamFailure } from "../gateway/upstream-error";
import { GatewayError } from "../errors/openai";
import { reserveBudget, type Reservation } from "../guardrails/client";
import { promptTokenBound, worstCase } from "../guardrails/plan";
import { emitRequest } from "../logging/emit";
import { attemptEmbeddings, noAdapter } from "../providers/execute";
import { adapterFor } from "../providers/registry";
import { dispatch } from "../routing/dispatch";
import { embeddingsNeeds } from "../routing/needs";
import { noTargetMessage } from "../routing/plan";
import { estimateTokens } from "../usage/tokens";

/** A lookup waits at most this long for its embedding, then counts as a miss. */
export const CACHE_EMBED_DEADLINE_MS = 2_000;

export interface CacheEmbedRequest {
  bundle: PolicyBundle;
  caller: Caller;
  dataClass: DataClass;
  /** The catalog model id from the workload's cache policy. */
  modelId: string;
  text: string;
  /** The chat request this embedding serves (recorded in the event's detail). */
  parentRequestId: string;
  region: string;
}

/** L2-normalised copy, or undefined for an empty, zero or non-finite vector. */
export function normalised(vector: unknown): number[] | undefined {
  if (!Array.isArray(vector) || vector.length === 0) return undefined;
  let sum = 0;
  for (const x of vector) {
    if (typeof x !== "number" || !Number.isFinite(x)) return undefined;
    sum += x * x;
  }
  if (sum === 0) return undefined;
  const norm = Math.sqrt(sum);
  return vector.map((x: number) => x / norm);
}

/**
 * Whether a catalog model can embed for the semantic cache of a request of this class.
 * @example embeddingModelUsable(bundle, "embed-sim", "public") === true
 */
export function embeddingModelUsable(bundle: PolicyBundle, modelId: string, dataClass: DataClass): boolean {
  const model = bundle.models.get(modelId);
  return model !== undefined && model.kind === "embeddings" && model.dataClassSet.has(dataClass);
}

/**
 * @example const vector = await embedForCache(deps, { bundle, caller, dataClass, modelId, text, parentRequestId, region });
 */
export async function embedForCache(deps: GatewayDeps, req: CacheEmbedRequest): Promise<number[] | undefined> {
  const model = req.bundle.models.get(req.modelId);
  if (!model || !embeddingModelUsable(req.bundle, req.modelId, req.dataClass)) return undefined;
  const requestId = crypto.randomUUID();
  const startedAt = Date.now();
  const usage = blankUsage({ requestId, startedAt, region: req.region });
  usage.team = req.caller.team.id;
  usage.workload = req.caller.workload.id;
  usage.key_id = req.caller.key.id;
  usage.model = req.modelId;
  usage.data_class = req.dataClass;
  addDetail(usage, { purpose: "semantic_cache", parent_request_id: req.parentRequestId });
  const body: EmbeddingsRequest = { model: req.modelId, input: req.text };
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), CACHE_EMBED_DEADLINE_MS);
  let guard: Reservation | undefined;
  try {
    const w = worstCase(model.price, promptTokenBound(req.text, 1), 0);
    const { caller } = req;
    guard = await reserveBudget(deps, { requestId, team: caller.team, workload: caller.workload, keyId: caller.key.id, ...w });
    const input = {
      env: deps.env, ctx: deps.ctx, bundle: req.bundle, model, caller, dataClass: req.dataClass, needs: embeddingsNeeds(body),
    };
    const { plan, result, route } = await dispatch(input, async (t, limits) => {
      const adapter = adapterFor(t.provider.type);
      if (!adapter) return { ok: false as const, failure: noAdapter(t.provider.type) };
      const call = { request: body, model: t.target.model, provider: t.provider };
      const timeoutMs = Math.min(limits.timeoutMs, CACHE_EMBED_DEADLINE_MS);
      const a = await attemptEmbeddings(adapter, call, { timeoutMs, ai: deps.env.AI, signal: deadline.signal });
      return a.ok ? { ok: true as const, value: a } : a;
    });
    usage.route = route;
    if (!result.ok) throw upstreamFailure(result, noTargetMessage(plan, req.modelId));
    usage.provider = result.target.provider.id;
    usage.ttfb_ms = result.value.ttfbMs;
    const reported = result.value.response.usage?.prompt_tokens;
    // A provider that reports no usage is charged an estimate, never zero.
    usage.estimated = reported === undefined;
    usage.tokens_in = reported ?? (await estimateTokens(req.text));
    usage.cost_nusd = costNusd(model.price, usage.tokens_in, 0);
    guard.settle(usage.cost_nusd, usage.tokens_in);
    const vector = normalised(result.value.response.data[0]?.embedding);
    if (!vector) throw new GatewayError(502, "api_error", "upstream_malformed", "The embeddings provider returned no usable vector.");
    usage.status = 200;
    return vector;
  } catch (err) {
    // Settled calls keep their charge; release is ignored after settle.
    guard?.release();
    const e = err instanceof GatewayError ? err : undefined;
    usage.status = e?.status ?? 502;
    usage.error_code = e?.code ?? (deadline.signal.aborted ? "cache_embedding_timeout" : "cache_embedding_failed");
    return undefined;
  } finally {
    clearTimeout(timer);
    usage.latency_ms = Date.now() - startedAt;
    emitRequest(deps, { usage });
  }
}
