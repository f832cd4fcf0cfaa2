/**
 * @module
 * The semantic index behind one interface: find the stored entry whose prompt embedding is most
 * similar to this one, within a partition (namespace + model + parameters + embeddings model,
 * see ./key.ts). Vectors come from the workload's catalog embeddings model (./embed.ts). Two
 * implementations:
 * - {@link IsolateSemanticIndex}: in isolate memory, bounded (oldest entries evicted first), no
 *   network, used where no Vectorize index is bound (local runs, tests). Each isolate has its own
 *   index: a miss where another isolate would hit costs one upstream call, never a wrong answer.
 * - {@link VectorizeSemanticIndex}: Cloudflare Vectorize, used when the SEMANTIC_CACHE binding
 *   exists (deployed regions). It filters on two metadata properties, which Vectorize only
 *   honours with a metadata index for each ({@link VECTORIZE_METADATA_INDEXES}; the deploy
 *   script creates them). Tested against ./vectorize-local.ts, which enforces the same rules.
 * The answer itself always lives in the exact store under the entry's key; the index only maps
 * similar prompts to that key, so TTLs and eviction of answers stay in one place.
 */
import type { Env } from "../env";

export interface SemanticMatch {
  key: string;
  score: number;
}

export interface SemanticIndex {
  query(partition: string, vector: number[], minScore: number, now: number): Promise<SemanticMatch | undefined>;
  upsert(partition: string, key: string, vector: number[], expiresAt: number): Promise<void>;
  /** Drops an entry whose answer is gone from the exact store. */
  remove(key: string): Promise<void>;
}

/** Cosine similarity of two L2-normalised vectors (0 when their lengths differ). @example cosine([1, 0], [1, 0]) === 1 */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}

interface Entry {
  key: string;
  vector: Float32Array;
  expiresAt: number;
}

export class IsolateSemanticIndex implements SemanticIndex {
  private readonly partitions = new Map<string, Entry[]>();
  private size = 0;
  constructor(private readonly maxEntries = 2000) {}

  async query(partition: string, vector: number[], minScore: number, now: number): Promise<SemanticMatch | undefined> {
    const entries = this.partitions.get(partition);
    if (!entries) return undefined;
    let best: SemanticMatch | undefined;
    for (const e of entries) {
      if (e.expiresAt <= now) continue;
      const score = cosine(vector, e.vector);
      if (score >= minScore && (!best || score > best.score)) best = { key: e.key, score };
    }
    return best;
  }

  async upsert(partition: string, key: string, vector: number[], expiresAt: number): Promise<void> {
    let entries = this.partitions.get(partition);
    if (!entries) this.partitions.set(partition, (entries = []));
    const i = entries.findIndex((e) => e.key === key);
    if (i >= 0) {
      entries.splice(i, 1);
      this.size--;
    }
    entries.push({ key, vector: Float32Array.from(vector), expiresAt });
    this.size++;
    while (this.size > this.maxEntries) this.evictOldest();
  }

  async remove(key: string): Promise<void> {
    for (const [p, entries] of this.partitions) {
      const i = entries.findIndex((e) => e.key === key);
      if (i < 0) continue;
      entries.splice(i, 1);
      this.size--;
      if (entries.length === 0) this.partitions.delete(p);
    }
  }

  private evictOldest(): void {
    // Partitions keep insertion order; the first entry of the first non-empty partition is old enough.
    for (const [p, entries] of this.partitions) {
      entries.shift();
      this.size--;
      if (entries.length === 0) this.partitions.delete(p);
      return;
    }
  }
}

/** The part of the Vectorize binding the cache uses (and ./vectorize-local.ts implements). */
export type VectorizeBinding = Pick<Vectorize, "query" | "upsert" | "deleteByIds">;

/**
 * The metadata properties {@link VectorizeSemanticIndex} filters on. Vectorize filters only on
 * properties with a metadata index, and only for vectors upserted after it was created; keep
 * scripts/deploy-regions.mjs (which creates them) in step with this list.
 */
export const VECTORIZE_METADATA_INDEXES = [
  { propertyName: "partition", type: "string" },
  { propertyName: "expires_at", type: "number" },
] as const;

/** Candidates asked for: the best one may be just under the threshold or expired mid-query. */
const VECTORIZE_TOP_K = 3;

export class VectorizeSemanticIndex implements SemanticIndex {
  constructor(private readonly index: VectorizeBinding) {}

  async query(partition: string, vector: number[], minScore: number, now: number): Promise<SemanticMatch | undefined> {
    const res = await this.index.query(vector, {
      topK: VECTORIZE_TOP_K,
      filter: { partition: { $eq: partition }, expires_at: { $gt: now } },
      returnMetadata: "indexed",
    });
    // Checked again here: the filter is the isolation boundary, so a result outside it is ignored.
    const m = res.matches.find((x) => x.metadata?.partition === partition && Number(x.metadata?.expires_at ?? 0) > now);
    return m && m.score >= minScore ? { key: m.id, score: m.score } : undefined;
  }

  async upsert(partition: string, key: string, vector: number[], expiresAt: number): Promise<void> {
    await this.index.upsert([{ id: key, values: vector, metadata: { partition, expires_at: expiresAt } }]);
  }

  async remove(key: string): Promise<void> {
    await this.index.deleteByIds([key]);
  }
}

const isolateIndex = new IsolateSemanticIndex();

/** The index for this environment: Vectorize when bound, else the isolate index. */
export function semanticIndexFor(env: Pick<Env, "SEMANTIC_CACHE">): SemanticIndex {
  return env.SEMANTIC_CACHE ? new VectorizeSemanticIndex(env.SEMANTIC_CACHE) : isolateIndex;
}
