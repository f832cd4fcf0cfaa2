/**
 * Extra local gateway instances for multi-region tests: the same Worker script, built with
 * esbuild, running as extra Miniflare workers with REGION=<zone> and the bindings of
 * wrangler.toml, except that each edge has its own zone stores, as deployed regions do:
 * - `DB` is the zone's own D1 (`switchyard-zone-<region>`), `BLOBS` its own R2 bucket, and its
 *   usage and eval queues are its own (consumed by the edge itself), so a request served by this
 *   edge leaves its logs and usage only in this zone;
 * - `CONTROL_DB` is the main test worker's D1 (the shared control plane: teams, keys, providers).
 * The main test worker plays the `us` edge (its `DB` doubles as the control plane there) and binds
 * each zone's D1 and R2 too (`DB_EU`, `BLOBS_EU`...) so tests can scan them. vitest.config.ts binds
 * the edges as EDGE_EU and EDGE_APAC.
 */
import { build } from "esbuild";
import path from "node:path";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

/** The zone stores of an extra edge, by name, for the main worker to bind as well. */
export function zoneStores(region: string): { d1: string; r2: string } {
  return { d1: `switchyard-zone-${region}`, r2: `switchyard-${region}` };
}

export async function regionEdgeWorker(
  region: string,
  bindings: Record<string, unknown>,
  peers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const outfile = path.resolve(`.wrangler/test-edge-${region}/edge.js`);
  await build({
    entryPoints: ["workers/edge.ts"],
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*", "node:*"],
    outfile,
    logLevel: "error",
  });
  const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml");
  // Module rules are for wrangler's own bundling; the stores and queues are replaced below.
  const {
    modulesRules: _rules, bindings: base, d1Databases, r2Buckets: _r2, queueProducers: _qp, queueConsumers: _qc, ...all
  } = workerOptions as Record<string, unknown> & { bindings?: Record<string, unknown>; d1Databases: Record<string, { id: string }> };
  // Drop empty option groups: the pool's option converter refuses some of them even when empty.
  const rest = Object.fromEntries(Object.entries(all).filter(([, v]) => !(v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) && !(Array.isArray(v) && v.length === 0)));
  const stores = zoneStores(region);
  const usageQueue = `usage-events-${region}`;
  const evalQueue = `eval-jobs-${region}`;
  return {
    ...rest,
    name: `edge-${region}`,
    modules: true,
    scriptPath: outfile,
    d1Databases: { DB: { id: stores.d1 }, CONTROL_DB: d1Databases.DB },
    r2Buckets: { BLOBS: { id: stores.r2 } },
    queueProducers: { USAGE_EVENTS: { queueName: usageQueue }, EVAL_JOBS: { queueName: evalQueue } },
    queueConsumers: { [usageQueue]: { maxBatchSize: 100, maxBatchTimeout: 1 }, [evalQueue]: { maxBatchSize: 20, maxBatchTimeout: 5 } },
    serviceBindings: Object.fromEntries(Object.entries(peers).map(([zone, name]) => [`EDGE_${zone.toUpperCase()}`, name])),
    bindings: {
      ...base,
      ...bindings,
      REGION: region,
      REGION_EDGES: JSON.stringify(Object.fromEntries(Object.keys(peers).map((zone) => [zone, `service:EDGE_${zone.toUpperCase()}`]))),
    },
  };
}
