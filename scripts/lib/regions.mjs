// `npm start`'s three regional edges (us, eu, apac) from one build in one Miniflare instance,
// laid out as deployed (wrangler.toml [env.*], DESIGN §1): each edge has its own zone D1, R2
// bucket, queues and Durable Objects; every edge reads configuration from the one control-plane
// D1 (locally the us edge's D1, as in the integration tests); TeamBudget is one namespace shared
// by all edges (script_name → the us script); edges forward to each other over service bindings
// with signed forwards. us answers on PORT, eu on PORT+1, apac on PORT+2.
import path from "node:path";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { LOCAL_ADMIN_JWT_SECRET, LOCAL_FORWARD_SIGNING_KEY, LOCAL_SECRETS_KEY, REGIONS } from "./local-config.mjs";
import { ROOT, WORKER_ROUTES, dashboardAssetOptions } from "./runtime.mjs";

/** The Worker (script) name of a region's edge; us keeps the single-edge name so its state carries over. */
export const edgeName = (region) => (region === "us" ? "switchyard" : `switchyard-${region}`);

/** The D1 ids of the local stores: the control plane (also us's zone) and the other zones. */
export function localDatabases() {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"));
  const control = workerOptions.d1Databases.DB.id ?? workerOptions.d1Databases.DB;
  return { control, zones: Object.fromEntries(REGIONS.map((r) => [r, r === "us" ? control : `switchyard-zone-${r}`])) };
}

function edgeOptions(region, base, { scriptPath, port, host }) {
  const { control, zones } = localDatabases();
  const peers = REGIONS.filter((r) => r !== region);
  const usage = region === "us" ? "usage-events" : `usage-events-${region}`;
  const evals = region === "us" ? "eval-jobs" : `eval-jobs-${region}`;
  const { modulesRules: _r, bindings, d1Databases: _d, r2Buckets: _b, queueProducers: _p, queueConsumers: _c, durableObjects, ...rest } = base;
  return {
    ...rest,
    name: edgeName(region),
    modules: true,
    scriptPath,
    modulesRoot: path.dirname(scriptPath),
    modulesRules: [{ type: "ESModule", include: ["**/*.js"] }],
    d1Databases: region === "us" ? { DB: control } : { DB: zones[region], CONTROL_DB: control },
    r2Buckets: { BLOBS: `switchyard-${region}` },
    queueProducers: { USAGE_EVENTS: { queueName: usage }, EVAL_JOBS: { queueName: evals } },
    queueConsumers: { [usage]: { maxBatchSize: 100, maxBatchTimeout: 1 }, [evals]: { maxBatchSize: 20, maxBatchTimeout: 5 } },
    // One TeamBudget namespace for every region: a team's budget cannot be spent once per region.
    durableObjects: region === "us" ? durableObjects : { ...durableObjects, TEAM_BUDGET: { ...durableObjects.TEAM_BUDGET, scriptName: edgeName("us") } },
    serviceBindings: Object.fromEntries(peers.map((p) => [`EDGE_${p.toUpperCase()}`, edgeName(p)])),
    bindings: {
      ...bindings,
      ADMIN_JWT_SECRET: LOCAL_ADMIN_JWT_SECRET,
      SECRETS_KEY: LOCAL_SECRETS_KEY,
      FORWARD_SIGNING_KEY: LOCAL_FORWARD_SIGNING_KEY,
      REGION: region,
      REGION_EDGES: JSON.stringify(Object.fromEntries(peers.map((p) => [p, `service:EDGE_${p.toUpperCase()}`]))),
    },
    // us is Miniflare's entry worker (PORT) and serves the dashboard, with the Worker's own paths
    // routed around the assets router (WORKER_ROUTES); eu and apac get sockets of their own, with
    // no assets (a direct socket would put the router in front of every request).
    ...(region === "us" ? { assets: dashboardAssetOptions(), routes: WORKER_ROUTES } : { unsafeDirectSockets: [{ host, port: port + REGIONS.indexOf(region) }] }),
  };
}

/**
 * Starts the three edges.
 * @param {{ port: number, host?: string, scriptPath: string, persistDir: string }} opts
 * @returns {Promise<{ mf: Miniflare, urls: Record<string, string> }>}
 */
export async function startEdges(opts) {
  const host = opts.host ?? "127.0.0.1";
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"));
  const persist = path.join(ROOT, opts.persistDir);
  const mf = new Miniflare({
    workers: REGIONS.map((r) => edgeOptions(r, workerOptions, { scriptPath: opts.scriptPath, port: opts.port, host })),
    unsafeTriggerHandlers: true,
    host,
    port: opts.port,
    d1Persist: path.join(persist, "d1"),
    r2Persist: path.join(persist, "r2"),
    durableObjectsPersist: path.join(persist, "do"),
    cachePersist: path.join(persist, "cache"),
  });
  await mf.ready;
  const urls = Object.fromEntries(REGIONS.map((r, i) => [r, `http://${host}:${opts.port + i}`]));
  return { mf, urls };
}

/** Fires one cron expression on every edge, as Cloudflare runs each region's triggers. */
export async function fireCron(mf, expr) {
  await Promise.all(REGIONS.map(async (r) => (await mf.getWorker(edgeName(r))).scheduled({ cron: expr })));
}

/**
 * Runs `work(dbs)` on every local D1 (control plane and each zone, by region) before the edges
 * serve, through a throwaway Miniflare, like withLocalD1 in runtime.mjs.
 * @param {(dbs: { control: D1Database, zones: Record<string, D1Database> }) => Promise<unknown>} work
 */
export async function withRegionD1s(persistDir, work) {
  const { control, zones } = localDatabases();
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response(null, { status: 404 }); } }",
    d1Databases: { CONTROL: control, ...Object.fromEntries(REGIONS.map((r) => [`ZONE_${r.toUpperCase()}`, zones[r]])) },
    d1Persist: path.join(ROOT, persistDir, "d1"),
  });
  try {
    const dbs = { control: await mf.getD1Database("CONTROL"), zones: {} };
    for (const r of REGIONS) dbs.zones[r] = await mf.getD1Database(`ZONE_${r.toUpperCase()}`);
    return await work(dbs);
  } finally {
    await mf.dispose();
  }
}
