/**
 * @module
 * Whether and where a request may be cached, as a pure function of the workload's cache policy,
 * the request's data class and the `x-cache` header. Restricted requests are never cached;
 * internal entries are scoped to the team; public entries are shared by every caller of the same
 * model with the same parameters (the answer depends on nothing else).
 */
import type { CachePolicy, DataClass } from "../config/schemas";
import type { CacheStatus } from "../usage/event";

export const DEFAULT_CACHE_TTL_S = 3600;
export const DEFAULT_SIMILARITY = 0.95;

export interface CachePlan {
  /** "miss" means: look up (and store on the way back). */
  status: Extract<CacheStatus, "off" | "bypass" | "miss">;
  mode: CachePolicy["mode"];
  ttlS: number;
  similarity: number;
}

/**
 * The scope entries of a class live in, or undefined when the class must never be cached.
 * @example cacheScope("internal", "acme") === "team:acme"
 */
export function cacheScope(dataClass: DataClass, team: string): string | undefined {
  if (dataClass === "restricted") return undefined;
  return dataClass === "internal" ? `team:${team}` : "public";
}

/**
 * @example cachePlan({ mode: "exact" }, "public", null).status === "miss"
 * @example cachePlan({ mode: "exact" }, "restricted", null).status === "bypass"
 */
export function cachePlan(policy: CachePolicy | undefined, dataClass: DataClass, xCache: string | null): CachePlan {
  const mode = policy?.mode ?? "off";
  const base = { mode, ttlS: policy?.ttl_s ?? DEFAULT_CACHE_TTL_S, similarity: policy?.similarity ?? DEFAULT_SIMILARITY };
  if (mode === "off") return { ...base, status: "off" };
  if (dataClass === "restricted") return { ...base, status: "bypass" };
  const header = xCache?.trim().toLowerCase();
  if (header === "bypass" || header === "no-store") return { ...base, status: "bypass" };
  return { ...base, status: "miss" };
}
