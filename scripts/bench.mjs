#!/usr/bin/env node
// `npm run bench`: the gateway and a bare pass-through Worker, both on the production-like
// Miniflare runtime of `npm start`, in front of the same local mock upstream, loaded the same
// way in one run. Prints req/s, p50 and p99 for each case and the ratios against the baseline.
// Each case runs BENCH_ROUNDS rounds of baseline and gateway back to back (the order alternates
// per round, so drift on a shared machine hits both sides alike); the table shows medians over
// rounds and the range of the per-round ratios.
// A third side, the floor (scripts/bench/floor.js: parse, forward, re-serialise, one packed usage
// event, no guardrails), runs in each round too, so the table shows what this runtime charges
// before any guardrail; its ratio is against the same round's pass-through.
// Then the TTFT case (scripts/bench/ttft.mjs): streams from a paced upstream, timed to the first
// non-empty content delta on the provider itself, the pass-through and the gateway.
// Options: BENCH_SECONDS (default 5), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 8),
// BENCH_ONLY (substring of case names), BENCH_FLOOR=0 (skip the floor side), BENCH_TTFT=0 (skip
// TTFT), BENCH_TTFT_TOKENS (default 64), BENCH_TTFT_TPS (tokens/s, default 50),
// BENCH_TTFT_REQUESTS (per side, default 20, 4 at a time).
// BENCH_SOAK=<minutes> runs a soak instead (scripts/bench/soak.mjs): mixed chat JSON, SSE and
// embeddings traffic in 20 s windows (BENCH_SOAK_WINDOW), with workerd's resident memory and the
// gateway isolate's JS heap (read through workerd's inspector, BENCH_INSPECTOR_PORT) per window.
// Storage: the gateway's D1 and R2 are served by a workerd process of their own, as deployed
// (scripts/bench/storage.mjs): Miniflare's simulators would otherwise run on the gateway's thread.
// Their CPU is reported apart (storage_cpu_us_per_req), not in the gateway's. BENCH_STORAGE=inline
// keeps them in the gateway's process, as `npm start` does.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { Miniflare } from "miniflare";
import { SignJWT } from "jose";
import { startMockUpstream } from "./mock-upstream.mjs";
import { LOCAL_ADMIN_JWT_SECRET } from "./lib/local-config.mjs";
import { ROOT, applyMigrations, buildWorker, startGateway, withLocalD1 } from "./lib/runtime.mjs";
import { benchCases as allCases, ttftCase } from "./bench/cases.mjs";
import { measureTtft, startPacedUpstream } from "./bench/ttft.mjs";
import { startStorage } from "./bench/storage.mjs";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { gatewayHeapProbe, soak, workerdChildren } from "./bench/soak.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const SOAK_MINUTES = Number(process.env.BENCH_SOAK ?? 0);
const INSPECTOR_PORT = Number(process.env.BENCH_INSPECTOR_PORT ?? 9329);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const WITH_FLOOR = process.env.BENCH_FLOOR !== "0";
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const benchCases = allCases.filter((c) => !process.env.BENCH_ONLY || c.name.includes(process.env.BENCH_ONLY));
const WITH_TTFT = !(Number(process.env.BENCH_SOAK ?? 0) > 0) && process.env.BENCH_TTFT !== "0" && (!process.env.BENCH_ONLY || ttftCase.name.includes(process.env.BENCH_ONLY));
const STORAGE_APART = process.env.BENCH_STORAGE !== "inline";
/** workerd processes of the storage process (empty when inline): their CPU is counted apart. */
let storagePids = new Set();
const TTFT = {
  tokens: Number(process.env.BENCH_TTFT_TOKENS ?? 64),
  tokensPerSecond: Number(process.env.BENCH_TTFT_TPS ?? 50),
  requests: Number(process.env.BENCH_TTFT_REQUESTS ?? 20),
};

/**
 * CPU time (ms) the workerd processes this bench started (workerdChildren) have used so far, from
 * /proc (Linux; null elsewhere): the storage process's apart from all the others'. workerd runs a
 * Miniflare instance on one thread, so CPU per request is what bounds throughput; it is steadier
 * than req/s on a shared machine. Only the side under load is busy in a phase.
 * @returns {{ runtime: number, storage: number } | null}
 */
function workerdCpuMs() {
  if (!existsSync("/proc")) return null;
  const ms = { runtime: 0, storage: 0 };
  for (const pid of workerdChildren()) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // the process ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime + stime, in ticks; USER_HZ is 100 on Linux.
    ms[storagePids.has(pid) ? "storage" : "runtime"] += (Number(fields[11]) + Number(fields[12])) * 10;
  }
  return ms;
}

async function load(url, { headers = {}, body }) {
  const cpu0 = workerdCpuMs();
  const result = await autocannon({ url, method: "POST", connections: CONNECTIONS, duration: SECONDS, headers: { "content-type": "application/json", ...headers }, body });
  const cpu1 = workerdCpuMs();
  const perRequest = (side) => (cpu0 === null || cpu1 === null || result.requests.total === 0 ? null : Math.round(((cpu1[side] - cpu0[side]) * 1000) / result.requests.total));
  result.cpuUsPerRequest = perRequest("runtime");
  result.storageCpuUsPerRequest = perRequest("storage");
  return result;
}

/**
 * Gateway vs a floor side per round: throughput ratio (median and range) and CPU per request
 * ratio. `side` is the round's key for that floor (`f`, or `fa` for the accounting floor of
 * streams); `name` prefixes the fields (`vs_floor`, `floor_cpu_us_per_req`, `cpu_vs_floor`, ...).
 */
function vsFloor(rounds, side = "f", name = "floor") {
  const tput = rounds.map((r) => r.g.requests.average / r[side].requests.average);
  const cpu = rounds.filter((r) => r.g.cpuUsPerRequest && r[side].cpuUsPerRequest).map((r) => r.g.cpuUsPerRequest / r[side].cpuUsPerRequest);
  return {
    [`vs_${name}`]: +median(tput).toFixed(3),
    [`vs_${name}_range`]: `${Math.min(...tput).toFixed(2)}–${Math.max(...tput).toFixed(2)}`,
    [`${name}_cpu_us_per_req`]: rounds[0][side].cpuUsPerRequest === null ? null : Math.round(median(rounds.map((r) => r[side].cpuUsPerRequest))),
    [`cpu_vs_${name}`]: cpu.length ? +median(cpu).toFixed(2) : null,
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

async function adminToken() {
  return new SignJWT({ role: "admin" }).setProtectedHeader({ alg: "HS256" }).setSubject("bench").setIssuer("switchyard").setAudience("switchyard-admin").setExpirationTime("1h").sign(new TextEncoder().encode(LOCAL_ADMIN_JWT_SECRET));
}

async function put(base, token, route, body, method = "PUT") {
  const res = await fetch(`${base}/admin/v1${route}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

const upstream = await startMockUpstream();
const stateDir = mkdtempSync(path.join(tmpdir(), "switchyard-bench-"));
const relState = path.relative(ROOT, stateDir);
const baseline = new Miniflare({
  modules: true,
  scriptPath: path.join(ROOT, "scripts/bench/passthrough.js"),
  bindings: { UPSTREAM: upstream.url },
  compatibilityDate: "2026-04-20",
  host: "127.0.0.1",
  port: 0,
});
const baselineUrl = (await baseline.ready).href.replace(/\/$/, "");
const floor = WITH_FLOOR
  ? new Miniflare({
      modules: true,
      scriptPath: path.join(ROOT, "scripts/bench/floor.js"),
      bindings: { UPSTREAM: upstream.url },
      queueProducers: { USAGE: "bench-floor-usage" },
      queueConsumers: { "bench-floor-usage": { maxBatchSize: 100, maxBatchTimeout: 1 } },
      compatibilityDate: "2026-04-20",
      host: "127.0.0.1",
      port: 0,
    })
  : undefined;
const floorUrl = floor ? (await floor.ready).href.replace(/\/$/, "") : undefined;
// TTFT: a paced upstream and a pass-through in front of it.
const paced = WITH_TTFT ? await startPacedUpstream(TTFT) : undefined;
const pacedPass = paced
  ? new Miniflare({
      modules: true,
      scriptPath: path.join(ROOT, "scripts/bench/passthrough.js"),
      bindings: { UPSTREAM: paced.url },
      compatibilityDate: "2026-04-20",
      host: "127.0.0.1",
      port: 0,
    })
  : undefined;
const pacedPassUrl = pacedPass ? (await pacedPass.ready).href.replace(/\/$/, "") : undefined;
const scriptPath = buildWorker();
await withLocalD1(relState, applyMigrations);
const beforeStorage = workerdChildren();
const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"));
const storage = STORAGE_APART
  ? await startStorage({ persistDir: stateDir, d1Id: workerOptions.d1Databases.DB.id, bucketId: workerOptions.r2Buckets.BLOBS.id })
  : undefined;
storagePids = new Set([...workerdChildren()].filter((pid) => !beforeStorage.has(pid)));
const workerdBefore = workerdChildren();
const gateway = await startGateway({ scriptPath, persistDir: relState, storage: storage?.bindings, ...(SOAK_MINUTES > 0 ? { inspectorPort: INSPECTOR_PORT } : {}) });
const token = await adminToken();

// The organisation under test: providers all point at the mock upstream.
const ctx = { base: gateway.url, upstream: `${upstream.url}/v1`, paced: paced && `${paced.url}/v1`, token, put: (route, body, method) => put(gateway.url, token, route, body, method) };
// Every case's setup, also under BENCH_ONLY: a case may use a model another case defines.
for (const c of allCases) await c.setup?.(ctx);
if (WITH_TTFT) await ttftCase.setup(ctx);
await put(gateway.url, token, "/teams/bench", { monthly_budget_usd: 10_000_000, rpm: 10_000_000, tpm: 1_000_000_000, residency: "us" });
const models = [...new Set([...benchCases, ...(WITH_TTFT ? [ttftCase] : [])].flatMap((c) => c.models ?? []))];
if (SOAK_MINUTES > 0) {
  await put(gateway.url, token, "/models/bench-embed", { kind: "embeddings", targets: [{ provider: "mock", model: "mock-embed" }], data_classes: ["public", "internal", "restricted"], price: { input_per_mtok: 0.1, output_per_mtok: 0 } });
  models.push("bench-embed");
}
await put(gateway.url, token, "/workloads/bench", { team: "bench", default_data_class: "public", allowed_models: models, lifecycle: "production" });
const { api_key } = await put(gateway.url, token, "/keys", { workload: "bench" }, "POST");
// Let the config version propagate (edges re-check every 2 s).
await new Promise((r) => setTimeout(r, 2500));

const rows = [];
/** Gateway responses received, to check afterwards that each produced exactly one usage row. */
let gatewayAnswered = 0;
let soakRows = [];
if (SOAK_MINUTES > 0) {
  const heap = await gatewayHeapProbe(INSPECTOR_PORT).catch((err) => (console.log(`gateway heap: not measured (${err.message})`), undefined));
  const windowSeconds = Number(process.env.BENCH_SOAK_WINDOW ?? 20);
  console.log(`soak: ${SOAK_MINUTES} min of mixed chat JSON, SSE and embeddings, ${CONNECTIONS} connections, ${windowSeconds} s windows`);
  const gatewayPids = new Set([...workerdChildren()].filter((pid) => !workerdBefore.has(pid)));
  const result = await soak({ gatewayUrl: gateway.url, apiKey: api_key, minutes: SOAK_MINUTES, windowSeconds, connections: CONNECTIONS, heap, gatewayPids });
  heap?.close();
  soakRows = result.rows;
  gatewayAnswered += result.answered;
}
for (const c of SOAK_MINUTES > 0 ? [] : benchCases) {
  const body = JSON.stringify(c.body);
  const gwHeaders = { authorization: `Bearer ${api_key}`, ...(c.headers ?? {}) };
  // Warm both, then measure baseline and gateway back to back under identical load.
  const check = await fetch(`${gateway.url}/v1/chat/completions`, { method: "POST", headers: { ...gwHeaders, "content-type": "application/json" }, body });
  if (!check.ok) throw new Error(`${c.name}: gateway answered ${check.status} ${await check.text()}`);
  await check.arrayBuffer();
  await autocannon({ url: `${baselineUrl}/v1/chat/completions`, method: "POST", connections: CONNECTIONS, duration: 1, body: JSON.stringify(c.baselineBody ?? c.body) });
  if (floorUrl) await autocannon({ url: `${floorUrl}/v1/chat/completions`, method: "POST", connections: CONNECTIONS, duration: 1, headers: { "content-type": "application/json" }, body });
  const warm = await autocannon({ url: `${gateway.url}/v1/chat/completions`, method: "POST", connections: CONNECTIONS, duration: 1, headers: { ...gwHeaders, "content-type": "application/json" }, body });
  gatewayAnswered += 1 + warm.requests.total;
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const runBaseline = () => load(`${baselineUrl}/v1/chat/completions`, { body: JSON.stringify(c.baselineBody ?? c.body) });
    const runGateway = () => load(`${gateway.url}/v1/chat/completions`, { headers: gwHeaders, body });
    const runFloor = () => (floorUrl ? load(`${floorUrl}/v1/chat/completions`, { body }) : undefined);
    // Streams: also the floor that reads the stream for its usage (the least a gateway billing streams does).
    const runAccounting = () => (floorUrl && c.body.stream ? load(`${floorUrl}/v1/chat/completions`, { body, headers: { "x-floor-stream-usage": "1" } }) : undefined);
    let b, g, f, fa;
    if (round % 2 === 0) (b = await runBaseline()), (f = await runFloor()), (fa = await runAccounting()), (g = await runGateway());
    else (g = await runGateway()), (fa = await runAccounting()), (f = await runFloor()), (b = await runBaseline());
    rounds.push({ b, g, f, fa, ratio: g.requests.average / b.requests.average, floorRatio: f ? f.requests.average / b.requests.average : undefined });
    gatewayAnswered += g.requests.total;
  }
  const ratios = rounds.map((r) => r.ratio);
  const mid = (f) => median(rounds.map(f));
  rows.push({
    case: c.name,
    baseline_rps: Math.round(mid((r) => r.b.requests.average)),
    gateway_rps: Math.round(mid((r) => r.g.requests.average)),
    throughput_ratio: +median(ratios).toFixed(3),
    ratio_range: `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
    ...(floorUrl ? { floor_ratio: +median(rounds.map((r) => r.floorRatio)).toFixed(3) } : {}),
    // The yardstick (issue 17.5): against the floor, what any gateway on this runtime must do.
    ...(floorUrl ? vsFloor(rounds) : {}),
    // Streams: against the floor that reads the stream for its usage (scripts/bench/floor.js).
    ...(rounds[0].fa ? vsFloor(rounds, "fa", "accounting_floor") : {}),
    p99_vs_passthrough: +mid((r) => r.g.latency.p99 / Math.max(1, r.b.latency.p99)).toFixed(2),
    baseline_p50_ms: mid((r) => r.b.latency.p50),
    gateway_p50_ms: mid((r) => r.g.latency.p50),
    added_p50_ms: +mid((r) => r.g.latency.p50 - r.b.latency.p50).toFixed(2),
    // autocannon's percentiles are whole milliseconds; the mean resolves smaller differences.
    added_mean_ms: +mid((r) => r.g.latency.average - r.b.latency.average).toFixed(2),
    baseline_p99_ms: mid((r) => r.b.latency.p99),
    gateway_p99_ms: mid((r) => r.g.latency.p99),
    baseline_cpu_us_per_req: rounds[0].b.cpuUsPerRequest === null ? null : Math.round(mid((r) => r.b.cpuUsPerRequest)),
    gateway_cpu_us_per_req: rounds[0].g.cpuUsPerRequest === null ? null : Math.round(mid((r) => r.g.cpuUsPerRequest)),
    // The local D1/R2 simulators' work for the gateway's phase (deployed, D1's and R2's servers do it).
    ...(STORAGE_APART && rounds[0].g.storageCpuUsPerRequest !== null ? { storage_cpu_us_per_req: Math.round(mid((r) => r.g.storageCpuUsPerRequest)) } : {}),
    gateway_errors: rounds.reduce((n, r) => n + r.g.non2xx + r.g.errors, 0),
  });
  // Per round, for the results file: drift within a run shows here.
  rows.at(-1).rounds = rounds.map((r) => ({
    baseline_rps: Math.round(r.b.requests.average), gateway_rps: Math.round(r.g.requests.average), floor_rps: r.f ? Math.round(r.f.requests.average) : undefined,
    baseline_cpu_us: r.b.cpuUsPerRequest, gateway_cpu_us: r.g.cpuUsPerRequest, floor_cpu_us: r.f?.cpuUsPerRequest,
    ...(r.fa ? { accounting_floor_rps: Math.round(r.fa.requests.average), accounting_floor_cpu_us: r.fa.cpuUsPerRequest } : {}), storage_cpu_us: r.g.storageCpuUsPerRequest,
  }));
}

// TTFT: the same streamed request on each side, one side at a time.
const ttftRows = [];
if (WITH_TTFT) {
  const body = JSON.stringify(ttftCase.body);
  const sides = [
    ["provider (paced upstream)", `${paced.url}/v1/chat/completions`, {}],
    ["pass-through", `${pacedPassUrl}/v1/chat/completions`, {}],
    ["gateway", `${gateway.url}/v1/chat/completions`, { authorization: `Bearer ${api_key}` }],
  ];
  for (const [side, url, headers] of sides) {
    ttftRows.push({ side, ...(await measureTtft(url, { headers, body, requests: TTFT.requests })) });
    if (side === "gateway") gatewayAnswered += TTFT.requests + 1;
  }
}

console.log(`\nSwitchyard bench — ${ROUNDS} rounds of ${SECONDS}s per side, ${CONNECTIONS} connections, medians over rounds, ${new Date().toISOString()}`);
if (rows.length > 0) console.table(rows.map(({ rounds: _rounds, ...row }) => row));
if (soakRows.length > 0) console.table(soakRows);
if (ttftRows.length > 0) {
  console.log(`\n${ttftCase.name}: ${TTFT.tokens} tokens at ${TTFT.tokensPerSecond} tokens/s, ${TTFT.requests} requests per side, 4 at a time`);
  console.table(ttftRows);
}
writeFileSync(path.join(ROOT, ".wrangler/bench-results.json"), JSON.stringify({ seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS, rows, ttft: { ...TTFT, rows: ttftRows }, soak: soakRows }, null, 2));

// Usage events were on: every answered request must reach D1 as one usage row (through the queue,
// the consumer and its D1 writes, all inside the measured runtime). Wait for the queue to drain.
let written = -1;
for (let i = 0; i < 40; i++) {
  const res = await fetch(`${gateway.url}/admin/v1/usage?team=bench&group_by=team`, { headers: { authorization: `Bearer ${token}` } });
  const now = ((await res.json()).data ?? []).reduce((n, r) => n + r.requests, 0);
  if (now === written && now >= gatewayAnswered) break;
  written = now;
  await new Promise((r) => setTimeout(r, 500));
}
console.log(`usage rows written: ${written} for ${gatewayAnswered} gateway requests answered (autocannon counts; requests cut off at a phase's end may add a few rows)`);

// TeamBudget round trips as the gateway saw them under load: each request that had to call the
// Durable Object (a lease fetch or a single reservation) records the call's duration as
// detail.guard_ms; requests admitted from a lease in memory record 0 and are left out.
// (This figure used to be printed by a test; tests do not time things.)
try {
  const db = storage ? await storage.d1() : await gateway.mf.getD1Database("DB");
  const { results } = await db
    .prepare("SELECT CAST(json_extract(detail, '$.guard_ms') AS REAL) AS ms FROM usage_events WHERE team = 'bench' AND json_extract(detail, '$.guard_ms') > 0 ORDER BY 1")
    .all();
  const ms = results.map((r) => r.ms);
  const q = (p) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))];
  if (ms.length) console.log(`TeamBudget round trips awaited by requests: ${ms.length} (of ${written} requests), p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, p99 ${q(0.99)} ms`);
} catch (err) {
  console.log(`TeamBudget round trips: not measured (${err instanceof Error ? err.message : String(err)})`);
}

await gateway.mf.dispose();
await storage?.dispose();
await baseline.dispose();
await floor?.dispose();
await pacedPass?.dispose();
await paced?.close();
await upstream.close();
rmSync(stateDir, { recursive: true, force: true });
