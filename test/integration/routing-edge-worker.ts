/**
 * A second local gateway instance for residency-forwarding tests: the same Worker script, built
 * with esbuild, running as an extra Miniflare worker with REGION=eu and the bindings of
 * wrangler.toml (so it shares the local D1 database with the main test worker and sends usage
 * to the same queue, which the main worker consumes). vitest.config.ts binds it as EDGE_EU.
 */
import { build } from "esbuild";
import path from "node:path";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

export async function regionEdgeWorker(region: string, bindings: Record<string, unknown>): Promise<Record<string, unknown>> {
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
  // The main worker consumes the queues; module rules are for wrangler's own bundling.
  const { queueConsumers: _consumers, modulesRules: _rules, bindings: base, ...all } = workerOptions as Record<string, unknown> & { bindings?: Record<string, unknown> };
  // Drop empty option groups: the pool's option converter refuses some of them even when empty.
  const rest = Object.fromEntries(Object.entries(all).filter(([, v]) => !(v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) && !(Array.isArray(v) && v.length === 0)));
  return {
    ...rest,
    name: `edge-${region}`,
    modules: true,
    scriptPath: outfile,
    bindings: { ...base, ...bindings, REGION: region, REGION_EDGES: "{}" },
  };
}
