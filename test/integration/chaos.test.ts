import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminOk, chat, eventually } from "./helpers";
import { TTFB_DEADLINE } from "../../src/routing/deadline";
import { faults, msg, providerGroup, sleep, usageRows } from "./routing-helpers";

const json = <T = Record<string, any>>(r: Response) => r.json() as Promise<T>;

describe("chaos: outages", () => {
  it("falls back on an outage, opens the circuit within two requests, and recovers after the fault is lifted", async () => {
    const g = await providerGroup();
    const [p0, p1] = g.providers;
    await faults(p0, { mode: "outage" });
    const routes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await chat(g.org.apiKey, { model: g.model, ...msg() });
      expect(r.status).toBe(200);
      expect(r.headers.get("x-switchyard-provider")).toBe(p1);
      routes.push(r.headers.get("x-switchyard-route")!);
      await r.text();
    }
    // Two timeouts, then the local breaker skips the dead provider: no more waiting on it.
    expect(routes[0]).toContain(`after=${p0}:timeout`);
    expect(routes[1]).toContain(`after=${p0}:timeout`);
    expect(routes[2]).toContain(`skipped_open=${p0}`);
    expect(routes[2]).not.toContain("after=");
    // The shared view (ProviderHealth DO) receives the outcomes asynchronously.
    await eventually(async () => {
      const h = await adminOk<{ shared: { samples: number; errorRate: number } }>("GET", `/providers/${p0}/health`);
      return h.shared.samples >= 2 && h.shared.errorRate > 0;
    });
    await faults(p0, { mode: "none" });
    // After the cooldown one request probes the primary (half-open) and it serves again.
    const served = await eventually(async () => {
      const r = await chat(g.org.apiKey, { model: g.model, ...msg() });
      await r.text();
      return r.headers.get("x-switchyard-provider") === p0 ? r : undefined;
    }, 8_000);
    expect(served.status).toBe(200);
  }, 20_000);

  it("answers 504 listing every target when all time out, with exactly one usage row", async () => {
    const g = await providerGroup();
    for (const p of g.providers) await faults(p, { mode: "outage" });
    const r = await chat(g.org.apiKey, { model: g.model, ...msg() }, { "x-request-id": `all-down-${g.model}` });
    expect(r.status).toBe(504);
    const body = await json(r);
    expect(body.error.code).toBe("upstream_timeout");
    for (const p of g.providers) expect(body.error.message).toContain(p);
    // Both circuits are open now: the next request is refused at once with 503, naming why.
    await chat(g.org.apiKey, { model: g.model, ...msg() }).then((x) => x.text());
    const fast = await chat(g.org.apiKey, { model: g.model, ...msg() });
    expect(fast.status).toBe(503);
    expect((await json(fast)).error.message).toContain("circuit open");
    const [row] = await usageRows([`all-down-${g.model}`]);
    expect(row.status).toBe(504);
    expect(String(row.route)).toContain("failed");
  });

  it("enforces the per-request deadline from the routing rule", async () => {
    const g = await providerGroup({ timeoutMs: 5_000 });
    for (const p of g.providers) await faults(p, { mode: "outage" });
    await adminOk("PUT", `/routing/rules/workload/${g.org.workload}`, { retry: { deadline_ms: 300 } });
    const r = await chat(g.org.apiKey, { model: g.model, ...msg() });
    expect(r.status).toBe(504);
    const body = await json(r);
    // The first attempt used up the deadline; the second target was never called.
    expect(body.error.message).toContain(g.providers[0]);
    expect(body.error.message).not.toContain(g.providers[1]);
  });
});

describe("chaos: a hanging provider with default timeouts", () => {
  it("a burst at the start of the outage: every request is served by the fallback, none waits for the 30 s attempt timeout", async () => {
    const g = await providerGroup({ timeoutMs: null });
    const [p0, p1] = g.providers;
    await faults(p0, { mode: "outage" });
    const ids = Array.from({ length: 6 }, (_, i) => `burst-${g.model}-${i}`);
    const answers = await Promise.all(ids.map((id, i) => chat(g.org.apiKey, { model: g.model, stream: i % 2 === 1, ...msg(id) }, { "x-request-id": id })));
    for (const r of answers) {
      expect(r.status).toBe(200);
      expect(r.headers.get("x-switchyard-provider")).toBe(p1);
      // Cut by the TTFB deadline (2 s with no history), never by the attempt timeout.
      expect(r.headers.get("x-switchyard-route")).toContain(`after=${p0}:ttfb_timeout@${TTFB_DEADLINE.coldMs}ms`);
      expect(await r.text()).not.toContain('"error"');
    }
    // The burst's failures opened the local circuit at once: the next request does not try p0.
    const next = await chat(g.org.apiKey, { model: g.model, ...msg() });
    expect(next.headers.get("x-switchyard-route")).toContain(`skipped_open=${p0}`);
    await next.text();
    const rows = await usageRows(ids);
    expect(rows.every((row) => row.status === 200 && row.provider === p1)).toBe(true);
  }, 15_000);
});

describe("chaos: error rates and slow first bytes", () => {
  it("retries a 5xx once on the same target, then falls back", async () => {
    const g = await providerGroup();
    await faults(g.providers[0], { mode: "errors", error_rate: 1 });
    const r = await chat(g.org.apiKey, { model: g.model, ...msg() });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-switchyard-provider")).toBe(g.providers[1]);
    expect(r.headers.get("x-switchyard-route")).toContain(`after=${g.providers[0]}:503,${g.providers[0]}:503`);
  });

  it("never loses or double-bills a request when retries happen: one usage row per request id", async () => {
    const g = await providerGroup();
    await faults(g.providers[0], { mode: "errors", error_rate: 0.5 });
    const ids = Array.from({ length: 12 }, (_, i) => `retry-${g.model}-${i}`);
    const answers = await Promise.all(ids.map((id) => chat(g.org.apiKey, { model: g.model, ...msg(`q ${id}`) }, { "x-request-id": id }).then(async (r) => ({ status: r.status, body: await json(r) }))));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const rows = await usageRows(ids);
    await sleep(300);
    const count = await env.DB.prepare(`SELECT COUNT(*) AS n FROM usage_events WHERE client_request_id LIKE ?`).bind(`retry-${g.model}-%`).first<{ n: number }>();
    expect(count!.n).toBe(ids.length);
    expect(rows).toHaveLength(ids.length);
    // Billed tokens are the answered ones, once: no cost from failed attempts is added twice.
    const byId = new Map(rows.map((r) => [r.client_request_id, r]));
    answers.forEach((a, i) => {
      const row = byId.get(ids[i])!;
      expect(row.tokens_in).toBe(a.body.usage.prompt_tokens);
      expect(row.cost_nusd).toBe(a.body.usage.prompt_tokens * 1000 + a.body.usage.completion_tokens * 2000);
    });
  });

  it("treats a first byte slower than the attempt timeout as a timeout and falls back", async () => {
    const g = await providerGroup({ timeoutMs: 200 });
    await faults(g.providers[0], { mode: "latency", latency_ms: 3_000 });
    const r = await chat(g.org.apiKey, { model: g.model, stream: true, ...msg() });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-switchyard-provider")).toBe(g.providers[1]);
    expect(await r.text()).toContain("[DONE]");
  });
});

describe("chaos: mid-stream disconnects", () => {
  it("never retries after the stream started: the client sees the break, one usage row records it", async () => {
    const g = await providerGroup();
    await faults(g.providers[0], { mode: "none", disconnect_after_chunks: 3 });
    const id = `disconnect-${g.model}`;
    const r = await chat(g.org.apiKey, { model: g.model, stream: true, ...msg() }, { "x-request-id": id });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-switchyard-provider")).toBe(g.providers[0]);
    const text = await r.text();
    expect(text).toContain("stream_interrupted");
    expect(text).not.toContain("[DONE]");
    const [row] = await usageRows([id]);
    expect(row.error_code).toBe("stream_interrupted");
    expect(row.provider).toBe(g.providers[0]);
    expect(String(row.route)).not.toContain("after=");
    // A broken stream has no usage: its row waits on the first token estimate of the isolate
    // (tokenizer load), which takes seconds on a loaded machine, on the old code too.
  }, 15_000);
});

describe("chaos: residency", () => {
  it("never sends restricted data out of zone: 503 naming the zone when no in-zone provider is healthy", async () => {
    const g = await providerGroup({ regions: ["eu", "us"], org: { residency: "eu", dataClass: "restricted" } });
    await faults(g.providers[0], { mode: "outage" });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 3; i++) {
      last = await chat(g.org.apiKey, { model: g.model, ...msg() });
      statuses.push(last.status);
      expect(last.headers.get("x-switchyard-provider")).toBeNull();
      if (i < 2) await last.text();
    }
    expect(statuses.slice(0, 2)).toEqual([504, 504]);
    expect(statuses[2]).toBe(503);
    const body = await json(last!);
    expect(body.error.code).toBe("no_available_target");
    expect(body.error.message).toContain("No healthy provider in residency zone eu");
    expect(body.error.message).toContain(`${g.providers[1]} outside residency zone eu`);
  });
});
