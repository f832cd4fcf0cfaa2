// Serves the built Worker production-like on workerd through Miniflare's API: no dev proxy,
// no live reload; bindings come from wrangler.toml via wrangler's own converter. DESIGN §3.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { buildDashboard } from "../build-dashboard.mjs";
import { LOCAL_ADMIN_JWT_SECRET, LOCAL_SECRETS_KEY, STATE_DIR } from "./local-config.mjs";

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

/** Bundles the Worker exactly as `wrangler deploy` would, into `outdir`, after its dashboard assets. */
export function buildWorker(outdir = path.join(ROOT, ".wrangler/dist")) {
  buildDashboard();
  mkdirSync(outdir, { recursive: true });
  execFileSync(process.execPath, [path.join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--env=", "--outdir", outdir], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  return path.join(outdir, "edge.js");
}

/**
 * Miniflare routes that reach the Worker itself, not the static-assets router in front of it: the
 * data, control and agent planes (so the hot path pays no extra hop locally) and the local trigger
 * paths (/cdn-cgi/handler/scheduled; the router has no scheduled handler). Everything else, the
 * dashboard included, goes through the router, which hands non-asset paths on to the Worker.
 */
export const WORKER_ROUTES = ["*/v1/*", "*/healthz", "*/admin/*", "*/mcp/*", "*/a2a/*", "*/.well-known/*", "*/cdn-cgi/handler/*"];

/** Miniflare's options for the dashboard's static assets, from the us region's block of wrangler.toml. */
export function dashboardAssetOptions() {
  // Reading a region's block repeats wrangler's warnings about top-level vars; they are not news here.
  const level = process.env.WRANGLER_LOG;
  process.env.WRANGLER_LOG = "error";
  try {
    return unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"), "us").workerOptions.assets;
  } finally {
    if (level === undefined) delete process.env.WRANGLER_LOG;
    else process.env.WRANGLER_LOG = level;
  }
}

/** OpenTelemetry settings `npm start` takes from its environment, as every OTel SDK reads them. */
const OTEL_VARS = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_SERVICE_NAME"];

/** @param {Record<string, string | undefined>} env */
export function otelBindings(env) {
  return Object.fromEntries(OTEL_VARS.filter((k) => env[k]).map((k) => [k, env[k]]));
}

/**
 * Starts the gateway on Miniflare.
 * `storage` replaces the D1 and R2 bindings (the bench serves them from a process of their own: scripts/bench/storage.mjs).
 * @param {{ port?: number, host?: string, region?: string, persistDir?: string | false, bindings?: Record<string, unknown>, scriptPath?: string, log?: boolean, inspectorPort?: number, storage?: { d1Databases: object, r2Buckets: object } }} opts
 */
export async function startGateway(opts = {}) {
  const scriptPath = opts.scriptPath ?? buildWorker();
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"));
  const persist = opts.persistDir === false ? false : path.join(ROOT, opts.persistDir ?? STATE_DIR);
  const mf = new Miniflare({
    ...workerOptions,
    name: "switchyard",
    modules: true,
    scriptPath,
    modulesRoot: path.dirname(scriptPath),
    modulesRules: [{ type: "ESModule", include: ["**/*.js"] }],
    bindings: {
      ...workerOptions.bindings,
      ADMIN_JWT_SECRET: LOCAL_ADMIN_JWT_SECRET,
      SECRETS_KEY: LOCAL_SECRETS_KEY,
      ...(opts.region ? { REGION: opts.region } : {}),
      ...otelBindings(process.env),
      ...(opts.bindings ?? {}),
    },
    unsafeTriggerHandlers: true,
    // The dashboard's static assets, with the Worker's own paths routed around them (WORKER_ROUTES).
    assets: dashboardAssetOptions(),
    routes: [...(workerOptions.routes ?? []), ...WORKER_ROUTES],
    ...(opts.storage ?? {}),
    // For profiling (`inspectorPort` opens workerd's DevTools protocol on every isolate).
    ...(opts.inspectorPort ? { inspectorPort: opts.inspectorPort } : {}),
    host: opts.host ?? "127.0.0.1",
    port: opts.port ?? 0,
    ...(persist
      ? { d1Persist: path.join(persist, "d1"), r2Persist: path.join(persist, "r2"), durableObjectsPersist: path.join(persist, "do"), cachePersist: path.join(persist, "cache") }
      : {}),
  });
  const url = await mf.ready;
  return { mf, url: url.href.replace(/\/$/, "") };
}

/**
 * Runs `work(db)` against the persisted local D1 database before the gateway serves, using a
 * throwaway Miniflare with only the D1 binding, so no request ever sees a half-migrated store.
 * @param {(db: D1Database) => Promise<unknown>} work
 */
export async function withLocalD1(persistDir, work) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"));
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response(null, { status: 404 }); } }",
    d1Databases: workerOptions.d1Databases,
    d1Persist: path.join(ROOT, persistDir, "d1"),
  });
  try {
    return await work(await mf.getD1Database("DB"));
  } finally {
    await mf.dispose();
  }
}

/** Applies d1-migrations/*.sql not yet applied, recording them like `wrangler d1 migrations apply`. */
export async function applyMigrations(db) {
  await db.exec("CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)");
  const done = new Set((await db.prepare("SELECT name FROM d1_migrations").all()).results.map((r) => r.name));
  const dir = path.join(ROOT, "d1-migrations");
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".sql")).sort() : [];
  const applied = [];
  for (const file of files) {
    if (done.has(file)) continue;
    const sql = readFileSync(path.join(dir, file), "utf8");
    const statements = sql.split(/--> statement-breakpoint|;\s*\n/).map((s) => s.trim()).filter((s) => s && !/^(--[^\n]*\n?)+$/.test(s));
    await db.batch([...statements.map((s) => db.prepare(s)), db.prepare("INSERT INTO d1_migrations (name) VALUES (?)").bind(file)]);
    applied.push(file);
  }
  return applied;
}
