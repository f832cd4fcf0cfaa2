// `npm start`'s three regional edges (us, eu, apac) from one build, in one process, laid out as
// deployed (wrangler.toml [env.*], DESIGN §1). Miniflare's persist options (d1Persist, r2Persist,
// durableObjectsPersist, cachePersist) belong to a Miniflare instance, not to a worker, so each
// zone runs in an instance of its own and keeps all of its state — zone D1, R2 bucket, Durable
// Objects, cache — under .wrangler/state/<region>/; the control plane's D1 lives in its own
// instance under .wrangler/state/control/ (scripts/lib/control-store.mjs) and every edge binds it
// as CONTROL_DB. TeamBudget is one namespace for all edges, the us edge's (eu and apac reach it
// through Miniflare's dev registry, as deployed eu/apac bind switchyard-us's with script_name).
// Edges forward to each other over HTTP with signed forwards, as deployed edges do.
// us answers on PORT, eu on PORT+1, apac on PORT+2.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { CONTROL_STORE_SCRIPT } from "./control-store.mjs";
import { LOCAL_ADMIN_JWT_SECRET, LOCAL_FORWARD_SIGNING_KEY, LOCAL_SECRETS_KEY, REGIONS, REGION_STATE_ROOT } from "./local-config.mjs";
import { ROOT, WORKER_ROUTES, dashboardAssetOptions } from "./runtime.mjs";

/** The Worker (script) name of a region's edge; us keeps the single-edge name. */
export const edgeName = (region) => (region === "us" ? "switchyard" : `switchyard-${region}`);

/** Where a store keeps its local state: `control` or a region. */
export const stateDir = (store) => path.join(ROOT, REGION_STATE_ROOT, store);

/** The local D1 ids: the control plane's and each zone's. */
export const CONTROL_D1 = "switchyard-control";
export const zoneD1 = (region) => `switchyard-zone-${region}`;

/** Persist options that put every kind of state of one instance under `dir`. */
function persistUnder(dir) {
  return { d1Persist: path.join(dir, "d1"), r2Persist: path.join(dir, "r2"), durableObjectsPersist: path.join(dir, "do"), cachePersist: path.join(dir, "cache") };
}

function edgeOptions(region, base, { scriptPath, port, host, controlUrl }) {
  const usage = `usage-events-${region}`;
  const evals = `eval-jobs-${region}`;
  const { modulesRules: _r, bindings, d1Databases: _d, r2Buckets: _b, queueProducers: _p, queueConsumers: _c, durableObjects, ...rest } = base;
  const peers = REGIONS.filter((r) => r !== region);
  return {
    ...rest,
    name: edgeName(region),
    modules: true,
    scriptPath,
    modulesRoot: path.dirname(scriptPath),
    modulesRules: [{ type: "ESModule", include: ["**/*.js"] }],
    d1Databases: { DB: zoneD1(region), CONTROL_DB: { id: CONTROL_D1, remoteProxyConnectionString: new URL(controlUrl) } },
    r2Buckets: { BLOBS: `switchyard-${region}` },
    queueProducers: { USAGE_EVENTS: { queueName: usage }, EVAL_JOBS: { queueName: evals } },
    queueConsumers: { [usage]: { maxBatchSize: 100, maxBatchTimeout: 1 }, [evals]: { maxBatchSize: 20, maxBatchTimeout: 5 } },
    // One TeamBudget namespace for every region: a team's budget cannot be spent once per region.
    durableObjects: region === "us" ? durableObjects : { ...durableObjects, TEAM_BUDGET: { ...durableObjects.TEAM_BUDGET, scriptName: edgeName("us") } },
    bindings: {
      ...bindings,
      ADMIN_JWT_SECRET: LOCAL_ADMIN_JWT_SECRET,
      SECRETS_KEY: LOCAL_SECRETS_KEY,
      FORWARD_SIGNING_KEY: LOCAL_FORWARD_SIGNING_KEY,
      REGION: region,
      REGION_EDGES: JSON.stringify(Object.fromEntries(peers.map((p) => [p, `http://${host}:${port + REGIONS.indexOf(p)}`]))),
    },
    // Every edge serves the dashboard (each region deploys the same assets), with the Worker's own
    // paths routed around the assets router (WORKER_ROUTES) so the data plane takes no extra hop.
    assets: dashboardAssetOptions(),
    routes: [...(rest.routes ?? []), ...WORKER_ROUTES],
  };
}

/**
 * Starts the control-plane store and the three edges.
 * @param {{ port: number, host?: string, scriptPath: string }} opts
 * @returns {Promise<{ urls: Record<string, string>, fireCron(expr: string): Promise<void>, dispose(): Promise<void> }>}
 */
export async function startEdges(opts) {
  const host = opts.host ?? "127.0.0.1";
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"));
  // This process's own registry: another `npm start` elsewhere must not resolve our worker names.
  const registry = mkdtempSync(path.join(os.tmpdir(), "switchyard-registry-"));
  process.once("exit", () => rmSync(registry, { recursive: true, force: true }));
  const control = new Miniflare({
    name: "switchyard-control-store",
    modules: true,
    script: CONTROL_STORE_SCRIPT,
    compatibilityDate: "2026-04-20",
    d1Databases: { CONTROL: CONTROL_D1 },
    host,
    port: 0,
    ...persistUnder(stateDir("control")),
  });
  const controlUrl = (await control.ready).href;
  const edges = {};
  // us first: eu and apac bind its TeamBudget namespace.
  for (const [i, region] of REGIONS.entries()) {
    edges[region] = new Miniflare({
      workers: [edgeOptions(region, workerOptions, { scriptPath: opts.scriptPath, port: opts.port, host, controlUrl })],
      unsafeTriggerHandlers: true,
      unsafeDevRegistryPath: registry,
      host,
      port: opts.port + i,
      ...persistUnder(stateDir(region)),
    });
    await edges[region].ready;
  }
  const urls = Object.fromEntries(REGIONS.map((r, i) => [r, `http://${host}:${opts.port + i}`]));
  return {
    urls,
    /** Fires one cron expression on every edge, as Cloudflare runs each region's triggers. */
    async fireCron(expr) {
      await Promise.all(REGIONS.map(async (r) => (await edges[r].getWorker(edgeName(r))).scheduled({ cron: expr })));
    },
    async dispose() {
      for (const r of [...REGIONS].reverse()) await edges[r].dispose();
      await control.dispose();
      rmSync(registry, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `work(dbs)` on every local D1 — the control plane's and each zone's, each in its own
 * state directory — before the edges serve, through throwaway Miniflare instances.
 * @param {(dbs: { control: D1Database, zones: Record<string, D1Database> }) => Promise<unknown>} work
 */
export async function withRegionD1s(work) {
  const open = (store, id) => new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response(null, { status: 404 }); } }",
    d1Databases: { DB: id },
    d1Persist: path.join(stateDir(store), "d1"),
  });
  const instances = { control: open("control", CONTROL_D1), ...Object.fromEntries(REGIONS.map((r) => [r, open(r, zoneD1(r))])) };
  try {
    const dbs = { control: await instances.control.getD1Database("DB"), zones: {} };
    for (const r of REGIONS) dbs.zones[r] = await instances[r].getD1Database("DB");
    return await work(dbs);
  } finally {
    for (const mf of Object.values(instances)) await mf.dispose();
  }
}
