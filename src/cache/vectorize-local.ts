/**
 * @module
 * A local stand-in for a Cloudflare Vectorize index (the `query`, `upsert` and `deleteByIds`
 * subset of the binding the semantic cache uses), for tests: Vectorize itself needs the network.
 * It enforces Vectorize's documented filter rules rather than being lenient, so a filter that
 * would silently match nothing in production matches nothing here too:
 * - a filter on a metadata property only matches vectors that were upserted while a metadata
 *   index for that property existed (`createMetadataIndex`, as `wrangler vectorize
 *   create-metadata-index`); without one, nothing matches;
 * - indexed strings are compared on their first 64 bytes; types must match the index's type;
 * - operators `$eq $ne $in $nin $lt $lte $gt $gte` (a bare value is `$eq`); a lower bound may be
 *   combined with an upper bound, no other operators may be combined; keys may not be empty,
 *   start with `$` or contain `"`; the filter must be a non-empty object under 2048 bytes of JSON;
 * - vectors must have the index's dimensions; ids at most 64 bytes; topK at most 100, or 20
 *   when values or all metadata are returned; matches come best first with cosine scores.
 */

export type MetadataIndexType = "string" | "number" | "boolean";
type Scalar = string | number | boolean | null;

interface StoredVector {
  id: string;
  values: number[];
  metadata: Record<string, VectorizeVectorMetadata>;
  /** Values of indexed properties at upsert time (what filters can see). */
  indexed: Map<string, Scalar>;
}

const RANGE_LOWER = new Set(["$gt", "$gte"]);
const RANGE_UPPER = new Set(["$lt", "$lte"]);
const OPERATORS = new Set(["$eq", "$ne", "$in", "$nin", ...RANGE_LOWER, ...RANGE_UPPER]);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The first 64 bytes of a string, cut on a character boundary (Vectorize's string index). */
function indexPrefix(s: string): string {
  const bytes = encoder.encode(s);
  if (bytes.length <= 64) return s;
  return decoder.decode(bytes.slice(0, 64)).replace(/\uFFFD+$/, "");
}

function compare(a: Scalar, b: Scalar): number {
  if (a === null || b === null || typeof a !== typeof b) return Number.NaN;
  return a < b ? -1 : a > b ? 1 : 0;
}

function similarity(a: number[], b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** One property's clause as a predicate on its indexed value; throws like Vectorize on a bad filter. */
function clause(key: string, spec: unknown): (v: Scalar | undefined) => boolean {
  if (!key || key.startsWith("$") || key.includes('"')) throw new Error(`VECTOR_QUERY_ERROR: invalid filter key "${key}"`);
  const isOps = spec !== null && typeof spec === "object" && !Array.isArray(spec);
  const ops: Record<string, unknown> = isOps ? (spec as Record<string, unknown>) : { $eq: spec };
  const names = Object.keys(ops);
  if (names.length === 0) throw new Error(`VECTOR_QUERY_ERROR: empty filter for "${key}"`);
  for (const op of names) if (!OPERATORS.has(op)) throw new Error(`VECTOR_QUERY_ERROR: unsupported operator ${op}`);
  const isRangePair = names.length === 2 && names.some((n) => RANGE_LOWER.has(n)) && names.some((n) => RANGE_UPPER.has(n));
  if (names.length > 1 && !isRangePair) throw new Error(`VECTOR_QUERY_ERROR: operators ${names.join(", ")} cannot be combined`);
  const tests = names.map((op): ((v: Scalar) => boolean) => {
    const arg = ops[op];
    if (op === "$in" || op === "$nin") {
      if (!Array.isArray(arg)) throw new Error(`VECTOR_QUERY_ERROR: ${op} needs an array`);
      const set = arg.map((x) => (typeof x === "string" ? indexPrefix(x) : x) as Scalar);
      return op === "$in" ? (v) => set.includes(v) : (v) => !set.includes(v);
    }
    if (Array.isArray(arg) || (arg !== null && typeof arg === "object")) throw new Error(`VECTOR_QUERY_ERROR: ${op} needs a scalar`);
    const want = typeof arg === "string" ? indexPrefix(arg) : (arg as Scalar);
    if (op === "$eq") return (v) => v === want;
    if (op === "$ne") return (v) => v !== want;
    if (op === "$lt") return (v) => compare(v, want) < 0;
    if (op === "$lte") return (v) => compare(v, want) <= 0;
    if (op === "$gt") return (v) => compare(v, want) > 0;
    return (v) => compare(v, want) >= 0;
  });
  // A vector without an indexed value for the property is invisible to any clause on it.
  return (v) => v !== undefined && tests.every((t) => t(v));
}

export class LocalVectorize {
  private readonly vectors = new Map<string, StoredVector>();
  private readonly metadataIndexes = new Map<string, MetadataIndexType>();
  private mutations = 0;

  constructor(private readonly opts: { dimensions: number; metadataIndexes?: ReadonlyArray<{ propertyName: string; type: MetadataIndexType }> }) {
    for (const m of opts.metadataIndexes ?? []) this.createMetadataIndex(m.propertyName, m.type);
  }

  /** As `wrangler vectorize create-metadata-index`: applies to vectors upserted from now on. */
  createMetadataIndex(propertyName: string, type: MetadataIndexType): void {
    if (this.metadataIndexes.size >= 10) throw new Error("at most 10 metadata indexes per index");
    this.metadataIndexes.set(propertyName, type);
  }

  get size(): number {
    return this.vectors.size;
  }

  async upsert(vectors: VectorizeVector[]): Promise<VectorizeAsyncMutation> {
    for (const v of vectors) {
      if (encoder.encode(v.id).length > 64) throw new Error(`VECTOR_UPSERT_ERROR: id longer than 64 bytes`);
      if (v.values.length !== this.opts.dimensions) {
        throw new Error(`VECTOR_UPSERT_ERROR: vector has ${v.values.length} dimensions, the index ${this.opts.dimensions}`);
      }
      const metadata = v.metadata ?? {};
      if (encoder.encode(JSON.stringify(metadata)).length > 10 * 1024) throw new Error("VECTOR_UPSERT_ERROR: metadata over 10 KiB");
      const indexed = new Map<string, Scalar>();
      for (const [prop, type] of this.metadataIndexes) {
        const value = metadata[prop];
        if (typeof value === type) indexed.set(prop, typeof value === "string" ? indexPrefix(value) : (value as Scalar));
      }
      this.vectors.set(v.id, { id: v.id, values: Array.from(v.values), metadata, indexed });
    }
    return { mutationId: String(++this.mutations) };
  }

  async deleteByIds(ids: string[]): Promise<VectorizeAsyncMutation> {
    for (const id of ids) this.vectors.delete(id);
    return { mutationId: String(++this.mutations) };
  }

  async query(vector: VectorFloatArray | number[], options: VectorizeQueryOptions = {}): Promise<VectorizeMatches> {
    if (vector.length !== this.opts.dimensions) {
      throw new Error(`VECTOR_QUERY_ERROR: query has ${vector.length} dimensions, the index ${this.opts.dimensions}`);
    }
    const topK = options.topK ?? 5;
    const heavy = options.returnValues === true || options.returnMetadata === "all" || options.returnMetadata === true;
    if (!Number.isInteger(topK) || topK < 1 || topK > (heavy ? 20 : 100)) throw new Error(`VECTOR_QUERY_ERROR: topK ${topK} out of range`);
    const predicates = this.filterPredicates(options.filter);
    const matches = [...this.vectors.values()]
      .filter((v) => predicates.every(([prop, test]) => test(v.indexed.get(prop))))
      .map((v) => ({ v, score: similarity(v.values, vector) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, topK)
      .map(({ v, score }): VectorizeMatch => {
        const m: VectorizeMatch = { id: v.id, score };
        if (options.returnValues) m.values = v.values;
        if (options.returnMetadata === "all" || options.returnMetadata === true) m.metadata = v.metadata;
        if (options.returnMetadata === "indexed") {
          m.metadata = Object.fromEntries([...v.indexed].filter(([, x]) => x !== null)) as Record<string, VectorizeVectorMetadata>;
        }
        return m;
      });
    return { matches, count: matches.length };
  }

  private filterPredicates(filter: VectorizeVectorMetadataFilter | undefined): Array<[string, (v: Scalar | undefined) => boolean]> {
    if (filter === undefined) return [];
    const entries = Object.entries(filter);
    if (entries.length === 0) throw new Error("VECTOR_QUERY_ERROR: filter must be a non-empty object");
    if (encoder.encode(JSON.stringify(filter)).length >= 2048) throw new Error("VECTOR_QUERY_ERROR: filter over 2048 bytes");
    return entries.map(([key, spec]) => [key, clause(key, spec)]);
  }
}
