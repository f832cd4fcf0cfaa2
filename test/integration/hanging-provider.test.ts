/**
 * A provider that hangs (fault `outage`: no answer at all, like a dead host) with the attempt
 * timeout left at its 30 s default: every test proves the primary was cut by its TTFB deadline
 * (the recorded route and usage row say which deadline), never by the attempt timeout, and that
 * the fallback served. Timing is never asserted: the deadline value chosen is.
 */
import { describe, expect, it } from "vitest";
import { TTFB_DEADLINE } from "../../src/routing/deadline";
import { adminOk, chat, eventually } from "./helpers";
import { faults, msg, providerGroup, sleep, usageRows } from "./routing-helpers";

const json = <T = Record<string, any>>(r: Response) => r.json() as Promise<T>;
const COLD = TTFB_DEADLINE.coldMs;

/** The usage row's detail, parsed. */
async function detailOf(id: string): Promise<Record<string, any>> {
  const [row] = await usageRows([id]);
  return JSON.parse(String(row.detail ?? "{}"));
}

describe("hanging provider: the TTFB deadline cuts it, the fallback serves", () => {
  it("JSON: served by the fallback after the primary's cold TTFB deadline, not its 30 s attempt timeout", async () => {
    const g = await providerGroup({ timeoutMs: null });
    const [p0, p1] = g.providers;
    await faults(p0, { mode: "outage" });
    const id = `hang-json-${g.model}`;
    const r = await chat(g.org.apiKey, { model: g.model, ...msg() }, { "x-request-id": id });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-switchyard-provider")).toBe(p1);
    expect(r.headers.get("x-switchyard-route")).toContain(`served=${p1} after=${p0}:ttfb_timeout@${COLD}ms`);
    expect((await json(r)).choices[0].message.content).toBeTruthy();
    const [row] = await usageRows([id]);
    expect(row.provider).toBe(p1);
    expect(String(row.route)).toContain(`after=${p0}:ttfb_timeout@${COLD}ms`);
    expect((await detailOf(id)).ttfb_deadline_ms).toEqual({ [p0]: COLD, [p1]: COLD });
  }, 15_000);

  it("stream: the fallback streams to [DONE]; the primary never sent a byte", async () => {
    const g = await providerGroup({ timeoutMs: null });
    const [p0, p1] = g.providers;
    await faults(p0, { mode: "outage" });
    const r = await chat(g.org.apiKey, { model: g.model, stream: true, stream_options: { include_usage: true }, ...msg() });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/event-stream");
    expect(r.headers.get("x-switchyard-provider")).toBe(p1);
    expect(r.headers.get("x-switchyard-route")).toContain(`after=${p0}:ttfb_timeout@${COLD}ms`);
    const text = await r.text();
    expect(text).toContain("[DONE]");
    expect(text).not.toContain('"error"');
  }, 15_000);

  it("honours ttfb_timeout_ms on the catalog target", async () => {
    const g = await providerGroup({ timeoutMs: null, targets: [{ ttfb_timeout_ms: 250 }] });
    const [p0, p1] = g.providers;
    await faults(p0, { mode: "outage" });
    const id = `hang-configured-${g.model}`;
    const r = await chat(g.org.apiKey, { model: g.model, stream: true, ...msg() }, { "x-request-id": id });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-switchyard-route")).toContain(`served=${p1} after=${p0}:ttfb_timeout@250ms`);
    await r.text();
    expect((await detailOf(id)).ttfb_deadline_ms[p0]).toBe(250);
  });

  it("requests planned while an attempt waits past the slow mark put the hanging provider last", async () => {
    const g = await providerGroup({ timeoutMs: null });
    const [p0, p1] = g.providers;
    await faults(p0, { mode: "outage" });
    // The first request of the outage finds out: it waits on p0.
    const first = chat(g.org.apiKey, { model: g.model, ...msg("first") });
    // Past the slow mark (half the cold deadline), arrivals do not queue behind it.
    await sleep(COLD / 2 + 300);
    const during = await Promise.all([0, 1, 2].map((i) => chat(g.org.apiKey, { model: g.model, stream: i === 1, ...msg(`during ${i}`) })));
    for (const r of during) {
      expect(r.status).toBe(200);
      expect(r.headers.get("x-switchyard-provider")).toBe(p1);
      const route = r.headers.get("x-switchyard-route")!;
      expect(route).toContain(`demoted_slow=${p0}`);
      expect(route).not.toContain("after=");
      await r.text();
    }
    const r0 = await first;
    expect(r0.headers.get("x-switchyard-route")).toContain(`after=${p0}:ttfb_timeout@${COLD}ms`);
    expect(r0.headers.get("x-switchyard-provider")).toBe(p1);
    await r0.text();
  }, 15_000);

  it("learns a fast target's TTFB: once it has samples, its deadline is the floor, not the cold default", async () => {
    const g = await providerGroup({ timeoutMs: null });
    const [p0, p1] = g.providers;
    for (let i = 0; i < TTFB_DEADLINE.minSamples; i++) await (await chat(g.org.apiKey, { model: g.model, ...msg(`warm ${i}`) })).text();
    await faults(p0, { mode: "outage" });
    const r = await chat(g.org.apiKey, { model: g.model, ...msg() });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-switchyard-provider")).toBe(p1);
    // The simulated provider answers in well under a millisecond: k × p95 clamps to the floor.
    expect(r.headers.get("x-switchyard-route")).toContain(`after=${p0}:ttfb_timeout@${TTFB_DEADLINE.floorMs}ms`);
    await r.text();
  }, 15_000);
});

describe("hanging provider: zone-bound data fails fast, in zone", () => {
  it("restricted data whose only in-zone provider hangs gets a 504 naming the zone, then 503 once the circuit is open", async () => {
    const g = await providerGroup({ timeoutMs: null, regions: ["eu", "us"], org: { residency: "eu", dataClass: "restricted" } });
    const [p0, p1] = g.providers;
    await faults(p0, { mode: "outage" });
    const answers: Array<{ status: number; body: Record<string, any>; provider: string | null }> = [];
    for (let i = 0; i < 3; i++) {
      const r = await chat(g.org.apiKey, { model: g.model, ...msg() });
      answers.push({ status: r.status, body: await json(r), provider: r.headers.get("x-switchyard-provider") });
    }
    // Cut at the TTFB deadline, never sent out of zone.
    expect(answers[0].status).toBe(504);
    expect(answers[0].body.error.code).toBe("upstream_timeout");
    expect(answers[0].body.error.message).toContain(`${p0}/sim-0: ttfb_timeout (no first byte within ${COLD} ms`);
    expect(answers[0].body.error.message).toContain("residency zone eu");
    expect(answers.every((a) => a.provider === null)).toBe(true);
    for (const a of answers) expect(JSON.stringify(a.body)).not.toContain(`${p1}/`);
    // Two TTFB timeouts opened the local circuit: the third is refused at once, naming the zone.
    expect(answers[2].status).toBe(503);
    expect(answers[2].body.error.message).toContain("No healthy provider in residency zone eu");
  }, 20_000);
});

describe("hedging", () => {
  it("starts the fallback beside a primary slower than its p95, serves the first answer and charges both attempts", async () => {
    const g = await providerGroup({ timeoutMs: null, model: { routing: { hedge: true } } });
    const [p0, p1] = g.providers;
    await faults(p0, { mode: "outage" });
    const ids = [0, 1, 2].map((i) => `hedge-${g.model}-${i}`);
    const routes: string[] = [];
    for (const id of ids) {
      const r = await chat(g.org.apiKey, { model: g.model, ...msg("hedge me") }, { "x-request-id": id });
      expect(r.status).toBe(200);
      expect(r.headers.get("x-switchyard-provider")).toBe(p1);
      routes.push(r.headers.get("x-switchyard-route")!);
      await r.text();
    }
    // The hedge answered before p0's TTFB deadline: no timeout, p0 was aborted.
    expect(routes[0]).toContain(`served=${p1} hedged=${p0}`);
    expect(routes[0]).not.toContain("after=");
    // Two lost races count as failures for the local breaker: the third request skips p0.
    expect(routes[1]).toContain(`hedged=${p0}`);
    expect(routes[2]).toContain(`skipped_open=${p0}`);
    const rows = await usageRows(ids);
    const first = rows.find((r) => r.client_request_id === ids[0])!;
    const detail = JSON.parse(String(first.detail));
    // The aborted attempt is charged its prompt (input price 1 $/Mtok = 1000 nusd a token).
    expect(detail.hedge).toEqual({ aborted: p0, tokens_in: first.tokens_in, cost_nusd: Number(first.tokens_in) * 1000 });
    expect(first.cost_nusd).toBe(Number(first.tokens_in) * 2000 + Number(first.tokens_out) * 2000);
    // The budget was charged exactly what the usage rows say, the hedge's part included.
    const total = rows.reduce((s, r) => s + Number(r.cost_nusd), 0);
    await eventually(async () => {
      const b = await adminOk<{ spent_usd: number; reserved_usd: number }>("GET", `/teams/${g.org.team}/budget`);
      return Math.abs(b.spent_usd * 1e9 - total) < 1 && b.reserved_usd === 0;
    });
  }, 20_000);

  it("does not hedge unless the model or a rule enables it", async () => {
    // p0 answers, but slower than half its 1 s TTFB deadline (its slow mark with no history).
    const g = await providerGroup({ timeoutMs: null, targets: [{ ttfb_timeout_ms: 1_000 }] });
    const [p0, p1] = g.providers;
    await faults(p0, { mode: "latency", latency_ms: 700 });
    const plain = await chat(g.org.apiKey, { model: g.model, ...msg() });
    expect(plain.headers.get("x-switchyard-provider")).toBe(p0);
    expect(plain.headers.get("x-switchyard-route")).not.toContain("hedged=");
    await plain.text();
    // A workload rule turns it on: the fallback starts beside p0 and answers first.
    await adminOk("PUT", `/routing/rules/workload/${g.org.workload}`, { retry: { hedge: true } });
    const route = await eventually(async () => {
      const r = await chat(g.org.apiKey, { model: g.model, ...msg() });
      await r.text();
      const label = r.headers.get("x-switchyard-route") ?? "";
      return label.includes("hedged=") ? label : undefined;
    });
    expect(route).toContain(`served=${p1} hedged=${p0}`);
  }, 20_000);
});
