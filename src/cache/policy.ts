/**
 * @module
 * Whether and where a request may be cached, as a pure function of the workload's cache policy,
 * the request's data class and the `x-cache` header. Restricted requests are never cached.
 *
 * Where an entry lives (its namespace) is part of every key: the class, the owner (the workload,
 * or its team when the workload opts in with `"scope":"team"`) and a fingerprint of the response
 * policy that redacted the stored answer. So an answer stored under a lax policy is never even
 * looked up by a workload with a different policy, and nothing is shared across teams. Every hit
 * is still scanned again with the requesting workload's policy (see ./stage.ts).
 */
import type { WorkloadPolicy } from "../config/bundle";
import type { CachePolicy, DataClass } from "../config/schemas";
import type { CacheStatus } from "../usage/event";
import { canonicalJson } from "./key";

export const DEFAULT_CACHE_TTL_S = 3600;
export const DEFAULT_SIMILARITY = 0.95;

export interface CachePlan {
  /** "miss" means: look up (and store on the way back). */
  status: Extract<CacheStatus, "off" | "bypass" | "miss">;
  mode: CachePolicy["mode"];
  ttlS: number;
  similarity: number;
  /**
   * The catalog embeddings model of a semantic lookup; undefined when the lookup is exact only
   * (mode "exact", or a "semantic" workload stored before `embedding_model` was required).
   */
  embeddingModel: string | undefined;
}

/** What a namespace depends on: the workload (id, team, cache scope and DLP policy). */
export type NamespaceWorkload = Pick<WorkloadPolicy, "id" | "team" | "cache" | "dlp">;

/**
 * The response policy's fingerprint: its stored configuration, canonical. Memoised per workload
 * object (a bundle's objects are immutable and replaced whole on a config change).
 */
const fingerprints = new WeakMap<object, string>();
function policyFingerprint(workload: NamespaceWorkload): string {
  let f = fingerprints.get(workload);
  if (f === undefined) fingerprints.set(workload, (f = canonicalJson(workload.dlp ?? "default")));
  return f;
}

/**
 * The namespace entries of a class live in for this workload, or undefined when the class must
 * never be cached.
 * @example cacheNamespace("internal", { id: "w", team: "t" }) === 'internal|workload:w|dlp:"default"'
 */
export function cacheNamespace(dataClass: DataClass, workload: NamespaceWorkload): string | undefined {
  if (dataClass === "restricted") return undefined;
  const owner = workload.cache?.scope === "team" ? `team:${workload.team}` : `workload:${workload.id}`;
  return `${dataClass}|${owner}|dlp:${policyFingerprint(workload)}`;
}

/**
 * @example cachePlan({ mode: "exact" }, "public", null).status === "miss"
 * @example cachePlan({ mode: "exact" }, "restricted", null).status === "bypass"
 */
export function cachePlan(policy: CachePolicy | undefined, dataClass: DataClass, xCache: string | null): CachePlan {
  const mode = policy?.mode ?? "off";
  const base = {
    mode,
    ttlS: policy?.ttl_s ?? DEFAULT_CACHE_TTL_S,
    similarity: policy?.similarity ?? DEFAULT_SIMILARITY,
    embeddingModel: mode === "semantic" ? policy?.embedding_model : undefined,
  };
  if (mode === "off") return { ...base, status: "off" };
  if (dataClass === "restricted") return { ...base, status: "bypass" };
  const header = xCache?.trim().toLowerCase();
  if (header === "bypass" || header === "no-store") return { ...base, status: "bypass" };
  return { ...base, status: "miss" };
}
