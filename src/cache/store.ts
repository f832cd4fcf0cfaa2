/**
 * @module
 * The exact-cache store: the Workers Cache API (`caches.default`), keyed by a synthetic URL of the
 * entry's hash. Why this store: a lookup is one call to the colo-local cache, with no D1 or R2
 * round trip on a miss, TTL comes from `cache-control: max-age`, and eviction is the platform's
 * (no unbounded isolate memory). The cost is that entries are per colo, which is fine for a cache.
 * Entries hold the redacted answer only, and are written only for public/internal requests.
 */
import type { DataClass } from "../config/schemas";
import type { ChatCompletion } from "../gateway/schemas";

const ORIGIN = "https://cache.switchyard.internal/chat/";

export interface CachedAnswer {
  completion: ChatCompletion;
  dataClass: Exclude<DataClass, "restricted">;
  provider: string | null;
  model: string | null;
  storedAt: string;
}

function cache(): Cache | undefined {
  return (globalThis as { caches?: CacheStorage & { default?: Cache } }).caches?.default;
}

/** @example const hit = await readCached(key); */
export async function readCached(key: string): Promise<CachedAnswer | undefined> {
  const c = cache();
  if (!c) return undefined;
  const res = await c.match(new Request(ORIGIN + key));
  if (!res) return undefined;
  try {
    return (await res.json()) as CachedAnswer;
  } catch {
    return undefined;
  }
}

/** Stores an answer for `ttlS` seconds. */
export async function writeCached(key: string, answer: CachedAnswer, ttlS: number): Promise<void> {
  const c = cache();
  if (!c) return;
  await c.put(new Request(ORIGIN + key), new Response(JSON.stringify(answer), { headers: { "content-type": "application/json", "cache-control": `max-age=${ttlS}` } }));
}
