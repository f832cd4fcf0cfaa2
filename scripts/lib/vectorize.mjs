// The semantic cache's Vectorize index per region: its name (from wrangler.toml), the metadata
// indexes its queries filter on, and the wrangler commands that create them. Vectorize filters
// on a metadata property only when a metadata index exists for it (and only for vectors upserted
// after the index was created), so the indexes are created right after the index, before the
// first deploy that writes to it. Keep METADATA_INDEXES in step with VECTORIZE_METADATA_INDEXES
// in src/cache/semantic.ts (src/cache/vectorize-local.test.ts checks it).

/** Default dimensions: @cf/baai/bge-base-en-v1.5 (Workers AI). Must match the embedding model. */
export const DEFAULT_VECTORIZE_DIMENSIONS = 768;

export const METADATA_INDEXES = [
  { propertyName: "partition", type: "string" },
  { propertyName: "expires_at", type: "number" },
];

/**
 * The SEMANTIC_CACHE index name of each [env.<region>] block of wrangler.toml.
 * @param {string} toml
 * @returns {Record<string, string>}
 */
export function vectorizeIndexNames(toml) {
  const out = {};
  for (const section of toml.split(/^\[env\./m).slice(1)) {
    const region = section.slice(0, section.indexOf("]"));
    const m = section.match(/binding\s*=\s*"SEMANTIC_CACHE"\s*,\s*index_name\s*=\s*"([^"]+)"/);
    if (m) out[region] = m[1];
  }
  return out;
}

/**
 * The wrangler argument lists that create one region's index and its metadata indexes.
 * @param {string} indexName
 * @param {number} dimensions
 * @returns {string[][]}
 */
export function vectorizeCommands(indexName, dimensions = DEFAULT_VECTORIZE_DIMENSIONS) {
  return [
    ["wrangler", "vectorize", "create", indexName, `--dimensions=${dimensions}`, "--metric=cosine"],
    ...METADATA_INDEXES.map((m) => ["wrangler", "vectorize", "create-metadata-index", indexName, `--propertyName=${m.propertyName}`, `--type=${m.type}`]),
  ];
}

/** Wrangler's answer when the index or metadata index is already there (re-runs are fine). */
export const ALREADY_EXISTS = /already exists|duplicate|conflict/i;
