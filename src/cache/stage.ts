/**
 * @module
 * The cache stage of the chat pipeline: look up before the budget reservation (a hit costs
 * nothing, so it reserves nothing and never reaches a provider), and store after the answer,
 * under the scope of the answer's final class (response DLP may have raised it; restricted is
 * never stored). Stores run in waitUntil, off the critical path.
 */
import { costNusd } from "../config/money";
import type { DataClass, Price } from "../config/schemas";
import type { Prepared } from "../gateway/context";
import type { ChatCompletion, ChatCompletionRequest } from "../gateway/schemas";
import type { Env } from "../env";
import type { CacheStatus, UsageEvent } from "../usage/event";
import { exactCacheKey, semanticPartition, semanticText } from "./key";
import { cachePlan, cacheScope } from "./policy";
import { completionToSse } from "./replay";
import { cacheEmbedding, semanticIndexFor } from "./semantic";
import { readCached, writeCached, type CachedAnswer } from "./store";

export interface ChatCache {
  status: CacheStatus;
  hit?: CachedAnswer;
  /** Stores an answer under its final class's scope (no-op when that class is not cacheable). */
  store(completion: ChatCompletion, finalClass: DataClass, provider: string | null, model: string | null): void;
}

interface CacheDeps {
  env: Env;
  ctx: { waitUntil(p: Promise<unknown>): void };
}

const noStore = () => {};

/**
 * @example const cache = await lookupChatCache(deps, p, request.headers.get("x-cache"));
 */
export async function lookupChatCache(deps: CacheDeps, p: Prepared<ChatCompletionRequest>, xCache: string | null): Promise<ChatCache> {
  const plan = cachePlan(p.caller.workload.cache, p.dataClass, xCache);
  if (plan.status !== "miss") return { status: plan.status, store: noStore };
  const team = p.caller.team.id;
  const scope = cacheScope(p.dataClass, team)!;
  const key = await exactCacheKey(scope, p.model.id, p.body);
  const index = plan.mode === "semantic" ? semanticIndexFor(deps.env) : undefined;
  // A broken cache must never fail a request: errors count as misses.
  let hit = await readCached(key).catch(() => undefined);
  if (!hit && index) {
    const partition = await semanticPartition(scope, p.model.id, p.body);
    const match = await index.query(partition, cacheEmbedding(semanticText(p.body)), plan.similarity, Date.now()).catch(() => undefined);
    if (match) hit = await readCached(match.key).catch(() => undefined);
  }
  if (hit) return { status: "hit", hit, store: noStore };
  return {
    status: "miss",
    store(completion, finalClass, provider, model) {
      const finalScope = cacheScope(finalClass, team);
      if (!finalScope || finalClass === "restricted") return;
      deps.ctx.waitUntil(
        (async () => {
          const k = finalScope === scope ? key : await exactCacheKey(finalScope, p.model.id, p.body);
          const answer: CachedAnswer = { completion, dataClass: finalClass, provider, model, storedAt: new Date().toISOString() };
          await writeCached(k, answer, plan.ttlS);
          if (index) await index.upsert(await semanticPartition(finalScope, p.model.id, p.body), k, cacheEmbedding(semanticText(p.body)), Date.now() + plan.ttlS * 1000);
        })().catch((err: unknown) => console.warn("cache store failed", { error: err instanceof Error ? err.message : String(err) })),
      );
    },
  };
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

/** The client's answer from a hit: JSON, or SSE replay for a streaming request. */
export function cachedChatResponse(hit: CachedAnswer, body: ChatCompletionRequest, headers: Record<string, string>): Response {
  if (body.stream) {
    return new Response(completionToSse(hit.completion, body.stream_options?.include_usage === true), {
      headers: { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
    });
  }
  return new Response(JSON.stringify(hit.completion), { headers: { ...headers, "content-type": "application/json" } });
}
