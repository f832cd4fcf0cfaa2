/**
 * @module
 * The cache stage of the chat pipeline: look up before the budget reservation (a hit reserves
 * nothing and never reaches a chat provider), and store after the answer with its final class
 * (response DLP may have raised it; restricted is never stored). Stores run in waitUntil, off
 * the critical path.
 *
 * A hit is exactly as safe as a miss: entries are namespaced by workload (or team, by opt-in) and
 * response policy (./policy.ts), and {@link scanHit} runs the requesting workload's response DLP
 * over every hit before the client, the log or the usage event sees it.
 *
 * Semantic mode adds one embeddings call per exact miss (./embed.ts); workloads without semantic
 * mode never make it, and a failed one is a miss.
 */
import { costNusd } from "../config/money";
import type { DataClass, Price } from "../config/schemas";
import type { GatewayDeps, Prepared } from "../gateway/context";
import { effectiveDataClass } from "../gateway/policy";
import type { ChatCompletion, ChatCompletionRequest } from "../gateway/schemas";
import type { CompiledDlpPolicy } from "../dlp";
import { redactCompletion, type DlpOutcome } from "../guardrails/dlp-request";
import type { CacheStatus, UsageEvent } from "../usage/event";
import { embedForCache } from "./embed";
import { exactCacheKey, semanticPartition, semanticText } from "./key";
import { cacheNamespace, cachePlan } from "./policy";
import { completionToSse } from "./replay";
import { semanticIndexFor, type SemanticIndex } from "./semantic";
import { readCached, writeCached, type CachedAnswer } from "./store";

export interface ChatCache {
  status: CacheStatus;
  hit?: CachedAnswer;
  /** Stores an answer with its final class (no-op when that class is restricted). */
  store(completion: ChatCompletion, finalClass: DataClass, provider: string | null, model: string | null): void;
}

const noStore = () => {};

/** Where a semantic lookup happened, so the store reuses its vector instead of embedding twice. */
interface SemanticLookup {
  index: SemanticIndex;
  embeddingModel: string;
  vector: number[] | undefined;
}

function warn(what: string): (err: unknown) => undefined {
  return (err) => {
    console.warn(what, { error: err instanceof Error ? err.message : String(err) });
    return undefined;
  };
}

/**
 * @example const cache = await lookupChatCache(deps, p, request.headers.get("x-cache"), requestId);
 */
export async function lookupChatCache(
  deps: GatewayDeps,
  p: Prepared<ChatCompletionRequest>,
  xCache: string | null,
  requestId: string,
): Promise<ChatCache> {
  const plan = cachePlan(p.caller.workload.cache, p.dataClass, xCache);
  if (plan.status !== "miss") return { status: plan.status, store: noStore };
  const workload = p.caller.workload;
  const namespace = cacheNamespace(p.dataClass, workload)!;
  const key = await exactCacheKey(namespace, p.model.id, p.body);
  // A broken cache must never fail a request: errors count as misses.
  const exact = await readCached(key).catch(warn("cache read failed"));
  if (exact) return { status: "hit", hit: exact, store: noStore };
  let semantic: SemanticLookup | undefined;
  if (plan.embeddingModel) {
    const vector = await embedForCache(deps, {
      bundle: p.bundle, caller: p.caller, dataClass: p.dataClass, modelId: plan.embeddingModel,
      text: semanticText(p.body), parentRequestId: requestId, region: deps.env.REGION,
    });
    semantic = { index: semanticIndexFor(deps.env), embeddingModel: plan.embeddingModel, vector };
    if (vector) {
      const partition = await semanticPartition(namespace, p.model.id, plan.embeddingModel, p.body);
      const match = await semantic.index.query(partition, vector, plan.similarity, Date.now()).catch(warn("semantic query failed"));
      const hit = match && (await readCached(match.key).catch(warn("cache read failed")));
      if (hit) return { status: "hit", hit, store: noStore };
      // The answer expired or was evicted while its vector stayed: drop the vector.
      if (match) deps.ctx.waitUntil(semantic.index.remove(match.key).catch(warn("semantic remove failed")));
    }
  }
  return {
    status: "miss",
    store(completion, finalClass, provider, model) {
      // Restricted answers are never stored. A raised one is stored where it was asked for (the
      // namespace is this workload's, or its team's by opt-in) with its class, so hits of it are
      // served and logged at that class, never lower.
      if (finalClass === "restricted") return;
      deps.ctx.waitUntil(
        (async () => {
          const answer: CachedAnswer = { completion, dataClass: finalClass, provider, model, storedAt: new Date().toISOString() };
          await writeCached(key, answer, plan.ttlS);
          if (semantic?.vector) {
            const partition = await semanticPartition(namespace, p.model.id, semantic.embeddingModel, p.body);
            await semantic.index.upsert(partition, key, semantic.vector, Date.now() + plan.ttlS * 1000);
          }
        })().catch(warn("cache store failed")),
      );
    },
  };
}

/** A hit after the requesting workload's response DLP: what the client and the log may see. */
export interface ScannedHit {
  completion: ChatCompletion;
  /** The request's class, raised by the entry's class and by what the scan found. */
  dataClass: DataClass;
  outcome: DlpOutcome;
}

/**
 * Runs the requesting workload's response policy over a hit, exactly as over a fresh answer
 * (a streaming hit is replayed from the scanned completion, so it is covered too).
 * @example const scanned = scanHit(p.caller.workload.dlpPolicy, p.dataClass, cache.hit);
 */
export function scanHit(policy: CompiledDlpPolicy, requestClass: DataClass, hit: CachedAnswer): ScannedHit {
  const scanned = redactCompletion(policy, hit.completion);
  const dataClass = effectiveDataClass(requestClass, hit.dataClass, scanned.outcome.raiseTo);
  return { completion: scanned.completion, dataClass, outcome: scanned.outcome };
}

/** Fills the usage event of a hit: no cost, no tokens charged; what it saved goes in detail. */
export function recordHit(usage: UsageEvent, hit: CachedAnswer, price: Price): void {
  usage.cache = "hit";
  usage.provider = hit.provider;
  usage.status = 200;
  usage.cost_nusd = 0;
  const u = hit.completion.usage;
  usage.detail = { ...usage.detail, cache_saved_nusd: u ? costNusd(price, u.prompt_tokens, u.completion_tokens) : 0 };
}

/** The client's answer from a (scanned) hit: JSON, or SSE replay for a streaming request. */
export function cachedChatResponse(completion: ChatCompletion, body: ChatCompletionRequest, headers: Record<string, string>): Response {
  if (body.stream) {
    return new Response(completionToSse(completion, body.stream_options?.include_usage === true), {
      headers: { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
    });
  }
  return new Response(JSON.stringify(completion), { headers: { ...headers, "content-type": "application/json" } });
}
