#!/usr/bin/env node
// `npm run bench:profile`: a CPU profile of the gateway isolate under load, per bench case.
// Starts the mock upstream and the gateway as `npm run bench` does (same bundle, same runtime,
// same organisation), opens workerd's DevTools inspector on the gateway's isolate and, per case,
// samples V8 every PROFILE_INTERVAL_US (default 100 µs) while autocannon loads it for
// PROFILE_SECONDS (default 10). Prints the top PROFILE_TOP (30) functions by self time and the
// self time per source module (the bundle's esbuild `// src/...` markers map a line to its module),
// both as µs per request, so a change can be measured where it lands.
// Options: BENCH_ONLY (substring of case names), BENCH_CONNECTIONS (8), PROFILE_SAVE=1 writes each
// raw profile to .wrangler/profile-<case>.cpuprofile (opens in Chrome DevTools).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { SignJWT } from "jose";
import { startMockUpstream } from "../mock-upstream.mjs";
import { LOCAL_ADMIN_JWT_SECRET } from "../lib/local-config.mjs";
import { ROOT, applyMigrations, buildWorker, startGateway, withLocalD1 } from "../lib/runtime.mjs";
import { benchCases as allCases } from "./cases.mjs";
import { openInspector } from "./inspector.mjs";

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 10);
const INTERVAL_US = Number(process.env.PROFILE_INTERVAL_US ?? 100);
const TOP = Number(process.env.PROFILE_TOP ?? 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const INSPECTOR_PORT = Number(process.env.BENCH_INSPECTOR_PORT ?? 9330);
const cases = allCases.filter((c) => !process.env.BENCH_ONLY || c.name.includes(process.env.BENCH_ONLY));

/** Line (1-based) → module, from esbuild's `// path/to/module.ts` comments in the bundle. */
function moduleMap(bundlePath) {
  const lines = readFileSync(bundlePath, "utf8").split("\n");
  const starts = [];
  lines.forEach((line, i) => {
    const m = /^\/\/ ((?:src|workers|durable-objects|node_modules|\.\.\/)[^\s]*\.(?:[cm]?[jt]s|json))$/.exec(line);
    if (m) starts.push([i + 1, m[1].replace(/^node_modules\/(@[^/]+\/[^/]+|[^/]+)\/.*$/, "node_modules/$1")]);
  });
  return (line) => {
    let lo = 0, hi = starts.length - 1, found = "(bundle)";
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid][0] <= line) (found = starts[mid][1]), (lo = mid + 1);
      else hi = mid - 1;
    }
    return found;
  };
}

/** Self time per node of a V8 CPU profile, aggregated by function and by module (µs). */
function aggregate(profile, moduleOf, bundleName) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fns = new Map();
  const mods = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    total += us;
    const inBundle = url.endsWith(bundleName);
    const mod = inBundle ? moduleOf(lineNumber + 1) : url ? url.replace(/^.*\//, "") : `(${functionName || "native"})`;
    const fn = `${functionName || "(anonymous)"} ${inBundle ? `${mod}:${lineNumber + 1}` : mod}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
    mods.set(mod, (mods.get(mod) ?? 0) + us);
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return { total, fns: sorted(fns), mods: sorted(mods) };
}

async function put(base, token, route, body, method = "PUT") {
  const res = await fetch(`${base}/admin/v1${route}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

const upstream = await startMockUpstream();
const stateDir = mkdtempSync(path.join(tmpdir(), "switchyard-profile-"));
const scriptPath = buildWorker();
const moduleOf = moduleMap(scriptPath);
await withLocalD1(path.relative(ROOT, stateDir), applyMigrations);
const gateway = await startGateway({ scriptPath, persistDir: path.relative(ROOT, stateDir), inspectorPort: INSPECTOR_PORT });
try {
  const token = await new SignJWT({ role: "admin" }).setProtectedHeader({ alg: "HS256" }).setSubject("bench").setIssuer("switchyard").setAudience("switchyard-admin").setExpirationTime("1h").sign(new TextEncoder().encode(LOCAL_ADMIN_JWT_SECRET));
  const ctx = { base: gateway.url, upstream: `${upstream.url}/v1`, token, put: (route, body, method) => put(gateway.url, token, route, body, method) };
  // Setups may depend on each other (the SSE and 10 KB cases use the JSON case's model).
  for (const c of allCases) await c.setup?.(ctx);
  await ctx.put("/teams/bench", { monthly_budget_usd: 10_000_000, rpm: 10_000_000, tpm: 1_000_000_000, residency: "us" });
  await ctx.put("/workloads/bench", { team: "bench", default_data_class: "public", allowed_models: [...new Set(allCases.flatMap((c) => c.models ?? []))], lifecycle: "production" });
  const { api_key } = await ctx.put("/keys", { workload: "bench" }, "POST");
  await new Promise((r) => setTimeout(r, 2500));
  const session = await openInspector(INSPECTOR_PORT);
  console.log(`profiling isolate "${session.title}", ${SECONDS} s per case, ${CONNECTIONS} connections, sampling every ${INTERVAL_US} µs`);
  await session.call("Profiler.enable");
  await session.call("Profiler.setSamplingInterval", { interval: INTERVAL_US });
  const headers = { authorization: `Bearer ${api_key}`, "content-type": "application/json" };
  for (const c of cases) {
    const body = JSON.stringify(c.body);
    const url = `${gateway.url}/v1/chat/completions`;
    await autocannon({ url, method: "POST", connections: CONNECTIONS, duration: 2, headers, body });
    await session.call("Profiler.start");
    const run = await autocannon({ url, method: "POST", connections: CONNECTIONS, duration: SECONDS, headers, body });
    const { profile } = await session.call("Profiler.stop");
    const requests = run.requests.total;
    if (process.env.PROFILE_SAVE === "1") writeFileSync(path.join(ROOT, `.wrangler/profile-${c.name.replace(/\W+/g, "-")}.cpuprofile`), JSON.stringify(profile));
    const { total, fns, mods } = aggregate(profile, moduleOf, path.basename(scriptPath));
    const perReq = (us) => +(us / Math.max(1, requests)).toFixed(1);
    const idle = fns.filter(([f]) => f.startsWith("(idle)")).reduce((n, [, us]) => n + us, 0);
    console.log(`\n== ${c.name}: ${requests} requests (${Math.round(requests / SECONDS)}/s, p99 ${run.latency.p99} ms, non-2xx ${run.non2xx + run.errors}); isolate busy ${perReq(total - idle)} µs/request`);
    console.table(fns.filter(([f]) => !f.startsWith("(idle)")).slice(0, TOP).map(([fn, us]) => ({ function: fn.slice(0, 110), us_per_req: perReq(us), share: `${((100 * us) / Math.max(1, total - idle)).toFixed(1)}%` })));
    console.table(mods.filter(([m]) => m !== "((idle))").slice(0, TOP).map(([mod, us]) => ({ module: mod, us_per_req: perReq(us), share: `${((100 * us) / Math.max(1, total - idle)).toFixed(1)}%` })));
  }
  session.close();
} finally {
  await gateway.mf.dispose();
  await upstream.close();
  rmSync(stateDir, { recursive: true, force: true });
}
