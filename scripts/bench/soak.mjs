// Soak run for `npm run bench` (BENCH_SOAK=<minutes>): mixed traffic (chat JSON, SSE, embeddings)
// against the gateway for several minutes, in windows. Each window records throughput, p50/p99,
// the resident memory of every workerd process (the gateway's isolate shares its process with
// the local simulators: D1, R2, the queue broker, Durable Objects; only the gateway's workerd
// process is counted, not the idle pass-through's and floor's) and, through workerd's
// DevTools inspector, the JS heap of the gateway isolate itself. That tells whose memory grows:
// a heap that levels off while RSS climbs is the runtime's simulators, not the gateway.
import { readFileSync, readdirSync } from "node:fs";
import autocannon from "autocannon";
import { openInspector } from "./inspector.mjs";

/** `/proc` entries of the workerd processes this bench started (children of this process). */
export function workerdChildren() {
  const pids = new Set();
  try {
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const close = stat.lastIndexOf(")");
        const ppid = Number(stat.slice(close + 2).split(" ")[1]);
        if (ppid === process.pid && stat.slice(stat.indexOf("(") + 1, close).startsWith("workerd")) pids.add(pid);
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    // no /proc (not Linux)
  }
  return pids;
}

/** Resident memory (MB) of the given workerd processes, from /proc (Linux; null elsewhere). */
export function rssMb(pids) {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      return null;
    }
  }
  return pids.size ? Math.round(kb / 1024) : null;
}

/**
 * Opens a DevTools session on the gateway's isolate (the inspector lists one target per Worker;
 * the gateway is the one named "switchyard") and returns a function reading its JS heap in MB.
 */
export async function gatewayHeapProbe(inspectorPort, workerName = "switchyard") {
  const { call, title, close } = await openInspector(inspectorPort, workerName);
  return {
    title,
    async heapMb() {
      // A full GC first, so the figure is what the isolate retains, not garbage not yet collected.
      await call("HeapProfiler.collectGarbage");
      const r = await call("Runtime.getHeapUsage").catch(() => null);
      return r ? +(r.usedSize / 1024 / 1024).toFixed(1) : null;
    },
    close,
  };
}

/**
 * Runs `minutes` of mixed load in windows of `windowSeconds`, three autocannon clients at once
 * (chat JSON, SSE, embeddings), and returns one row per window.
 */
export async function soak({ gatewayUrl, apiKey, minutes, windowSeconds = 20, connections = 8, heap, gatewayPids = new Set() }) {
  const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };
  const messages = [{ role: "user", content: "Summarise the quarterly numbers in two sentences." }];
  const mixes = [
    ["chat", "/v1/chat/completions", { model: "bench-chat", messages }],
    ["sse", "/v1/chat/completions", { model: "bench-chat", messages, stream: true, stream_options: { include_usage: true } }],
    ["embed", "/v1/embeddings", { model: "bench-embed", input: ["a short text to embed", "and another"] }],
  ];
  const per = Math.max(1, Math.round(connections / mixes.length));
  const windows = Math.max(1, Math.round((minutes * 60) / windowSeconds));
  const rows = [];
  let answered = 0;
  for (let w = 0; w < windows; w++) {
    const results = await Promise.all(
      mixes.map(([, route, body]) =>
        autocannon({ url: `${gatewayUrl}${route}`, method: "POST", connections: per, duration: windowSeconds, headers, body: JSON.stringify(body) }),
      ),
    );
    const total = results.reduce((n, r) => n + r.requests.total, 0);
    answered += total;
    rows.push({
      window: w + 1,
      at_s: (w + 1) * windowSeconds,
      req_per_s: Math.round(total / windowSeconds),
      chat_p99_ms: results[0].latency.p99,
      sse_p99_ms: results[1].latency.p99,
      embed_p99_ms: results[2].latency.p99,
      errors: results.reduce((n, r) => n + r.non2xx + r.errors, 0),
      // Non-2xx answers by status, to tell a refusal (429) from an upstream failure (5xx).
      statuses: Object.entries(Object.assign({}, ...results.map((r) => r.statusCodeStats ?? {})))
        .filter(([code]) => !code.startsWith("2"))
        .map(([code]) => `${code}:${results.reduce((n, r) => n + (r.statusCodeStats?.[code]?.count ?? 0), 0)}`)
        .join(" "),
      workerd_rss_mb: rssMb(gatewayPids),
      gateway_heap_mb: heap ? await heap.heapMb().catch(() => null) : null,
    });
    console.log(JSON.stringify(rows.at(-1)));
  }
  return { rows, answered };
}
