/**
 * @module
 * The semantic index behind one interface: find the stored entry whose prompt embedding is most
 * similar to this one, within a partition (scope + model + parameters). Two implementations:
 * - {@link IsolateSemanticIndex}: in isolate memory, bounded (oldest entries evicted first), no
 *   network, so it works locally and in tests. Each isolate has its own index: a miss where
 *   another isolate would hit costs one upstream call, never a wrong answer.
 * - {@link VectorizeSemanticIndex}: Cloudflare Vectorize, used when the SEMANTIC_CACHE binding
 *   exists (deployed regions). Not exercised by the local tests (Vectorize needs the network).
 * The answer itself always lives in the exact store under the entry's key; the index only maps
 * similar prompts to that key, so TTLs and eviction of answers stay in one place.
 */
import type { Env } from "../env";
import { simulatedEmbedding } from "../providers/simulated/generate";

export const EMBEDDING_DIMENSIONS = 256;

export interface SemanticMatch {
  key: string;
  score: number;
}

export interface SemanticIndex {
  query(partition: string, vector: number[], minScore: number, now: number): Promise<SemanticMatch | undefined>;
  upsert(partition: string, key: string, vector: number[], expiresAt: number): Promise<void>;
}

/**
 * The embedding the semantic cache compares: deterministic, local, no network (feature-hashed
 * words and trigrams), so lookups add no provider call and work offline.
 */
export function cacheEmbedding(text: string): number[] {
  return simulatedEmbedding(text, EMBEDDING_DIMENSIONS);
}

/** Cosine similarity of two L2-normalised vectors. @example cosine([1, 0], [1, 0]) === 1 */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
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

export class VectorizeSemanticIndex implements SemanticIndex {
  constructor(private readonly index: Vectorize) {}

  async query(partition: string, vector: number[], minScore: number, now: number): Promise<SemanticMatch | undefined> {
    const res = await this.index.query(vector, { topK: 1, filter: { partition }, returnMetadata: "all" });
    const m = res.matches[0];
    if (!m || m.score < minScore) return undefined;
    const expiresAt = Number(m.metadata?.expires_at ?? 0);
    return expiresAt > now ? { key: m.id, score: m.score } : undefined;
  }

  async upsert(partition: string, key: string, vector: number[], expiresAt: number): Promise<void> {
    await this.index.upsert([{ id: key, values: vector, metadata: { partition, expires_at: expiresAt } }]);
  }
}

const isolateIndex = new IsolateSemanticIndex();

/** The index for this environment: Vectorize when bound, else the isolate index. */
export function semanticIndexFor(env: Env): SemanticIndex {
  const vectorize = (env as Env & { SEMANTIC_CACHE?: Vectorize }).SEMANTIC_CACHE;
  return vectorize ? new VectorizeSemanticIndex(vectorize) : isolateIndex;
}
