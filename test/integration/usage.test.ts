import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { UsageEvent } from "../../src/usage/event";
import { writeUsage } from "../../src/usage/writer";
import { SLICE_REQUESTS, handleQueue, retryDelaySeconds } from "../../workers/consumers";
import { queueNames } from "../../scripts/lib/queues.mjs";
import { packTexts } from "../../src/usage/emit";
import { admin, chat, createOrg, eventually } from "./helpers";

function event(id: string, team: string, over: Partial<UsageEvent> = {}): UsageEvent {
  return {
    request_id: id, ts: "2026-01-15T10:00:00.000Z", team, workload: "wl", key_id: "k", model: "m", provider: "p", region: "us",
    tokens_in: 100, tokens_out: 10, cost_nusd: 1234, latency_ms: 5, ttfb_ms: 2, status: 200, error_code: null, data_class: "public",
    cache: "miss", estimated: false, route: "ordered", ...over,
  };
}

describe("usage accounting", () => {
  it("writes every request exactly once under parallel load (batched sends)", async () => {
    const org = await createOrg();
    const ids = Array.from({ length: 60 }, (_, i) => `par-${org.team}-${i}`);
    const results = await Promise.all(ids.map((id) => chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: id }] }, { "x-request-id": id })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    await Promise.all(results.map((r) => r.arrayBuffer()));
    const count = await eventually(async () => {
      const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM usage_events WHERE team = ?").bind(org.team).first<{ n: number }>();
      return row && row.n >= 60 ? row.n : undefined;
    });
    expect(count).toBe(60);
  });

  it("records refusals too, with their status and code", async () => {
    const org = await createOrg();
    await chat(org.apiKey, { model: "does-not-exist", messages: [{ role: "user", content: "x" }] }, { "x-request-id": `refused-${org.team}` });
    const row = await eventually(() => env.DB.prepare("SELECT status, error_code, team FROM usage_events WHERE client_request_id = ?").bind(`refused-${org.team}`).first<{ status: number; error_code: string; team: string }>());
    expect(row).toEqual({ status: 404, error_code: "model_not_found", team: org.team });
  });

  it("is idempotent: a redelivered batch changes nothing", async () => {
    const team = `idem-${Date.now()}`;
    const batch = [event(`${team}-1`, team), event(`${team}-2`, team, { status: 502, error_code: "upstream_failed" })];
    await writeUsage(env.DB, batch);
    await writeUsage(env.DB, batch);
    await writeUsage(env.DB, [batch[1]]);
    const daily = await env.DB.prepare("SELECT requests, errors, tokens_in, cost_nusd FROM usage_daily WHERE team = ?").bind(team).first();
    expect(daily).toEqual({ requests: 2, errors: 1, tokens_in: 200, cost_nusd: 2468 });
  });

  it("a big batch spans several multi-row inserts; a partly redelivered one rolls up only its new rows", async () => {
    const team = `multi-${Date.now()}`;
    const first = Array.from({ length: 11 }, (_, i) => event(`${team}-${i}`, team, { ts: `2026-03-0${1 + (i % 2)}T10:00:00.000Z`, cache: i % 3 === 0 ? "hit" : "miss", cost_nusd: 1000 + i }));
    await writeUsage(env.DB, first);
    // Redelivery of six old events together with three new ones, in another order.
    const again = [...first.slice(0, 6).reverse(), ...Array.from({ length: 3 }, (_, i) => event(`${team}-new-${i}`, team, { ts: "2026-03-01T11:00:00.000Z", status: 429, error_code: "rate_limit_exceeded", cost_nusd: 0 }))];
    await writeUsage(env.DB, again);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n, SUM(cost_nusd) AS cost FROM usage_events WHERE team = ?").bind(team).first<{ n: number; cost: number }>();
    expect(rows).toEqual({ n: 14, cost: first.reduce((a, e) => a + e.cost_nusd, 0) });
    const daily = await env.DB.prepare("SELECT day, requests, errors, cache_hits, tokens_in, cost_nusd FROM usage_daily WHERE team = ? ORDER BY day").bind(team).all();
    const day = (d: string) => first.filter((e) => e.ts.startsWith(d));
    expect(daily.results).toEqual([
      { day: "2026-03-01", requests: 6 + 3, errors: 3, cache_hits: day("2026-03-01").filter((e) => e.cache === "hit").length, tokens_in: 900, cost_nusd: day("2026-03-01").reduce((a, e) => a + e.cost_nusd, 0) },
      { day: "2026-03-02", requests: 5, errors: 0, cache_hits: day("2026-03-02").filter((e) => e.cache === "hit").length, tokens_in: 500, cost_nusd: day("2026-03-02").reduce((a, e) => a + e.cost_nusd, 0) },
    ]);
  });

  it("the consumer unpacks packed messages (several requests, as JSON text) and still accepts the older kinds", async () => {
    const team = `msg-${Date.now()}`;
    const now = event(`${team}-new`, team);
    const log = (id: string) => ({ type: "request_log", request_id: id, ts: now.ts, team, workload: "wl", key_id: "k", model: "m", provider: "p", data_class: "public", status: 200, tokens_in: 1, tokens_out: 1, cache: "miss", dlp_types: [], expires_at: "2099-01-01T00:00:00.000Z" });
    const text = event(`${team}-text`, team);
    const packed = [`${team}-p1`, `${team}-p2`].map((id) => JSON.stringify({ type: "request", usage: event(id, team), log: log(id) }));
    // As producers send them now: packs of requests as JSON text (one request also arrives alone, as
    // a redelivery would: it must count once). Plus a body that is not JSON, which must not block the batch.
    const bodies = [
      { type: "request", usage: now, log: log(`${team}-new`) }, event(`${team}-old`, team), log(`${team}-oldlog`), JSON.stringify({ type: "request", usage: text, log: log(`${team}-text`) }), "{not json",
      ...packTexts(packed, packed.map((p) => p.length)), packed[1],
    ];
    await handleQueue(createMessageBatch<unknown>("usage-events", bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body }))), env);
    const usage = await env.DB.prepare("SELECT request_id FROM usage_events WHERE team = ? ORDER BY request_id").bind(team).all<{ request_id: string }>();
    expect(usage.results.map((r) => r.request_id)).toEqual([`${team}-new`, `${team}-old`, `${team}-p1`, `${team}-p2`, `${team}-text`]);
    const logs = await env.DB.prepare("SELECT request_id FROM request_logs WHERE team = ? ORDER BY request_id").bind(team).all<{ request_id: string }>();
    expect(logs.results.map((r) => r.request_id)).toEqual([`${team}-new`, `${team}-oldlog`, `${team}-p1`, `${team}-p2`, `${team}-text`]);
    const daily = await env.DB.prepare("SELECT sum(requests) AS n FROM usage_daily WHERE team = ?").bind(team).first<{ n: number }>();
    expect(daily?.n).toBe(5);
  });

  it("writes a batch in slices, acknowledging each slice's messages once it is written; a failed write retries the rest later, with a growing delay", async () => {
    const batchOf = (team: string) =>
      createMessageBatch<unknown>("usage-events", Array.from({ length: SLICE_REQUESTS + 10 }, (_, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body: event(`${team}-${String(i).padStart(4, "0")}`, team) })));
    const rows = async (team: string) => (await env.DB.prepare("SELECT count(*) AS n FROM usage_events WHERE team = ?").bind(team).first<{ n: number }>())?.n;
    const ok = `slices-${Date.now()}`;
    const whole = batchOf(ok);
    await handleQueue(whole, env);
    const done = await getQueueResult(whole, createExecutionContext());
    expect(done.explicitAcks).toHaveLength(SLICE_REQUESTS + 10);
    expect(await rows(ok)).toBe(SLICE_REQUESTS + 10);
    // D1 fails the second slice's write (an outage mid-batch): the first slice stays written and
    // acknowledged; the rest is retried after a delay, not at once into the same outage, and the
    // batch does not throw (a throw would retry it at once). Records that are merely malformed
    // do not fail a write: they are set aside (next test).
    const bad = `slices-bad-${Date.now()}`;
    let batches = 0;
    const flakyDb = new Proxy(env.DB, {
      get(target, key) {
        if (key === "batch") return (statements: D1PreparedStatement[]) => (++batches === 2 ? Promise.reject(new Error("D1 unavailable")) : target.batch(statements));
        const value = Reflect.get(target, key) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    // The test pool's messages do not report a retry's delay: record it on the way through.
    const delays = new Map<string, number | undefined>();
    const recording = <T extends MessageBatch<unknown>>(b: T): T => {
      for (const m of b.messages) {
        const retry = m.retry.bind(m);
        Object.defineProperty(m, "retry", { value: (o?: QueueRetryOptions) => (delays.set(m.id, o?.delaySeconds), retry(o)) });
      }
      return b;
    };
    const partial = recording(batchOf(bad));
    await handleQueue(partial, { ...env, DB: flakyDb });
    const result = await getQueueResult(partial, createExecutionContext());
    expect([...result.explicitAcks].sort()).toEqual(Array.from({ length: SLICE_REQUESTS }, (_, i) => `m${i}`).sort());
    expect(result.retryMessages.map((r: { msgId: string }) => r.msgId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `m${SLICE_REQUESTS + i}`).sort());
    expect(new Set(delays.values())).toEqual(new Set([15]));
    // A message on its fourth attempt waits longer: the delay doubles per attempt, up to an hour.
    const later = recording(createMessageBatch<unknown>("usage-events", [{ id: "late", timestamp: new Date(), attempts: 4, body: event(`${bad}-late`, bad) }]));
    batches = 1;
    await handleQueue(later, { ...env, DB: flakyDb });
    expect((await getQueueResult(later, createExecutionContext())).retryMessages.map((r: { msgId: string }) => r.msgId)).toEqual(["late"]);
    expect(delays.get("late")).toBe(120);
    expect([1, 2, 3, 8, 9, 10, 50].map(retryDelaySeconds)).toEqual([15, 30, 60, 1920, 3600, 3600, 3600]);
    expect(await rows(bad)).toBe(SLICE_REQUESTS);
    // Redelivered, the rest counts exactly once; a redelivery of the whole batch adds nothing more.
    const rest = partial.messages.filter((m) => !result.explicitAcks.includes(m.id));
    await handleQueue(createMessageBatch<unknown>("usage-events", rest.map((m) => ({ id: m.id, timestamp: m.timestamp, attempts: 2, body: m.body }))), env);
    await handleQueue(batchOf(bad), env);
    expect(await rows(bad)).toBe(SLICE_REQUESTS + 10);
    const daily = await env.DB.prepare("SELECT sum(requests) AS n FROM usage_daily WHERE team = ?").bind(bad).first<{ n: number }>();
    expect(daily?.n).toBe(SLICE_REQUESTS + 10);
  });

  it("sets aside what cannot be stored (with why) instead of dropping it silently or failing the batch; a redelivery adds nothing", async () => {
    const team = `rej-${Date.now()}`;
    const good = event(`${team}-good`, team, { cost_nusd: 5000 });
    const log = (id: string, over: Record<string, unknown> = {}) => ({ type: "request_log", request_id: id, ts: good.ts, team, workload: "wl", key_id: "k", model: "m", provider: "p", data_class: "internal", status: 200, tokens_in: 1, tokens_out: 1, cache: "miss", dlp_types: [], expires_at: "2099-01-01T00:00:00.000Z", ...over });
    // As a producer bug would send them: JSON turns a NaN cost into null; a time in another format;
    // a request whose usage is fine but whose log record lacks its expiry (and carries bodies).
    const nanCost = JSON.stringify({ type: "request", usage: { ...event(`${team}-nan`, team), cost_nusd: Number.NaN }, log: log(`${team}-nan`) });
    const badTs = event(`${team}-ts`, team, { ts: "yesterday" });
    const noExpiry = { type: "request", usage: event(`${team}-noexp`, team), log: log(`${team}-noexp`, { expires_at: undefined, bodies: { request: "secret prompt text" } }) };
    const notJson = `not json ${team}`;
    const bodies = [{ type: "request", usage: good, log: log(`${team}-good`) }, nanCost, badTs, noExpiry, notJson];
    const batch = () => createMessageBatch<unknown>("usage-events", bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })));
    const first = batch();
    await handleQueue(first, env);
    expect((await getQueueResult(first, createExecutionContext())).explicitAcks).toHaveLength(bodies.length);

    const usage = await env.DB.prepare("SELECT request_id FROM usage_events WHERE team = ? ORDER BY request_id").bind(team).all<{ request_id: string }>();
    expect(usage.results.map((r) => r.request_id)).toEqual([`${team}-good`, `${team}-noexp`]);
    const logs = await env.DB.prepare("SELECT request_id FROM request_logs WHERE team = ? ORDER BY request_id").bind(team).all<{ request_id: string }>();
    expect(logs.results.map((r) => r.request_id)).toEqual([`${team}-good`, `${team}-nan`]);
    const rejects = async () =>
      (await env.DB.prepare("SELECT kind, request_id, reason, body FROM ingest_rejects WHERE team = ? OR body LIKE ? ORDER BY request_id").bind(team, `%"chars":${notJson.length},%`).all<{ kind: string; request_id: string | null; reason: string; body: string }>()).results;
    const set = await rejects();
    expect(set.map((r) => [r.kind, r.request_id, r.reason])).toEqual([
      ["message", null, "message is not JSON"],
      ["usage", `${team}-nan`, "cost_nusd: expected a non-negative integer, got null"],
      ["log", `${team}-noexp`, "expires_at: expected a non-empty string, got nothing"],
      ["usage", `${team}-ts`, 'ts: expected an ISO-8601 UTC time, got "yesterday"'],
    ]);
    // The usage event is kept whole (it carries no content); the log record without its bodies.
    expect(JSON.parse(set[1].body)).toMatchObject({ request_id: `${team}-nan`, tokens_in: 100, cost_nusd: null });
    expect(set[2].body).not.toContain("secret prompt text");
    expect(JSON.parse(set[2].body)).toMatchObject({ request_id: `${team}-noexp`, bodies_dropped: true });
    expect(set[0].body).not.toContain(team);

    // The platform team hears of it: one alert (ids and reasons, no content), not one per redelivery.
    const alerts = async () => (await env.DB.prepare("SELECT severity, title, evidence FROM alerts WHERE kind = 'usage_records_rejected' AND team = ?").bind(team).all<{ severity: string; title: string; evidence: string }>()).results;
    const raised = await alerts();
    expect(raised).toHaveLength(1);
    expect(raised[0].severity).toBe("critical");
    expect(JSON.parse(raised[0].evidence)).toMatchObject({ first_reason: "cost_nusd: expected a non-negative integer, got null", count: 4, request_ids: [`${team}-nan`, `${team}-ts`, `${team}-noexp`] });
    expect(raised[0].evidence).not.toContain("secret prompt text");

    await handleQueue(batch(), env);
    expect(await rejects()).toHaveLength(4);
    expect(await alerts()).toHaveLength(1);
    const daily = await env.DB.prepare("SELECT sum(requests) AS n, sum(cost_nusd) AS cost FROM usage_daily WHERE team = ?").bind(team).first<{ n: number; cost: number }>();
    expect(daily).toEqual({ n: 2, cost: 5000 + 1234 });

    // Finance and auditors read them; team owners do not.
    const listed = await (await admin("GET", "/usage/rejects?kind=usage&limit=1000")).json<{ data: Array<{ request_id: string; reason: string; record: { ts?: string } }> }>();
    expect(listed.data.filter((r) => r.request_id?.startsWith(team)).map((r) => r.request_id).sort()).toEqual([`${team}-nan`, `${team}-ts`]);
    expect(listed.data.find((r) => r.request_id === `${team}-ts`)?.record.ts).toBe("yesterday");
    expect((await admin("GET", "/usage/rejects", undefined, { sub: "owner", role: "team-owner", team })).status).toBe(403);
    expect((await admin("GET", "/usage/rejects?limit=0")).status).toBe(400);
  });

  it("aggregates by team/workload/model/day over the admin API", async () => {
    const team = `agg-${Date.now()}`;
    await writeUsage(env.DB, [
      event(`${team}-a`, team, { ts: "2026-02-01T01:00:00Z" }),
      event(`${team}-b`, team, { ts: "2026-02-01T02:00:00Z", model: "m2" }),
      event(`${team}-c`, team, { ts: "2026-02-02T02:00:00Z" }),
    ]);
    const res = await admin("GET", `/usage?team=${team}&group_by=model`);
    const body = await res.json<{ data: Array<{ model: string; requests: number; cost_usd: number }> }>();
    expect(body.data).toEqual([
      expect.objectContaining({ model: "m", requests: 2, cost_usd: 2468 / 1e9 }),
      expect.objectContaining({ model: "m2", requests: 1 }),
    ]);
    const byDay = await (await admin("GET", `/usage?team=${team}&group_by=day&from=2026-02-02`)).json<{ data: Array<{ day: string; requests: number }> }>();
    expect(byDay.data).toEqual([expect.objectContaining({ day: "2026-02-02", requests: 1 })]);
    expect((await admin("GET", "/usage?group_by=password")).status).toBe(400);
  });
});

describe("usage detail", () => {
  it("records declared tool names (not arguments) for shadow-agent discovery", async () => {
    const org = await createOrg();
    const id = `tools-${org.team}`;
    await chat(
      org.apiKey,
      { model: "sim-chat", messages: [{ role: "user", content: "x" }], tools: [{ type: "function", function: { name: "lookup_order", parameters: { type: "object" } } }] },
      { "x-request-id": id, "user-agent": "my-bot/1.0" },
    );
    const row = await eventually(() => env.DB.prepare("SELECT json_extract(detail, '$.tools') AS tools, json_extract(detail, '$.user_agent') AS ua FROM usage_events WHERE client_request_id = ?").bind(id).first<{ tools: string; ua: string }>());
    expect(JSON.parse(row.tools)).toEqual(["lookup_order"]);
    expect(row.ua).toBe("my-bot/1.0");
  });
});

describe("usage queue delivery settings", () => {
  it("each region's queues, dead-letter queues included, are what the deploy script creates", () => {
    const toml = `
[env.us]
queues.producers = [{ binding = "USAGE_EVENTS", queue = "usage-events-us" }, { binding = "EVAL_JOBS", queue = "eval-jobs-us" }]
queues.consumers = [{ queue = "usage-events-us", max_retries = 10, dead_letter_queue = "usage-events-us-dlq" }, { queue = "usage-events-us-dlq", max_retries = 100 }]
[env.eu]
vectorize = [{ binding = "SEMANTIC_CACHE", index_name = "switchyard-cache-eu" }]
queues.consumers = [{ queue = "usage-events-eu", dead_letter_queue = "usage-events-eu-dlq" }]
`;
    expect(queueNames(toml)).toEqual({ us: ["usage-events-us", "eval-jobs-us", "usage-events-us-dlq"], eu: ["usage-events-eu", "usage-events-eu-dlq"] });
  });

  it("the dead-letter queue is written by the same consumer", async () => {
    const team = `dlq-${Date.now()}`;
    const batch = createMessageBatch<unknown>("usage-events-us-dlq", [{ id: "d1", timestamp: new Date(), attempts: 1, body: event(`${team}-1`, team) }]);
    await handleQueue(batch, env);
    expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toEqual(["d1"]);
    expect(await env.DB.prepare("SELECT request_id FROM usage_events WHERE team = ?").bind(team).first("request_id")).toBe(`${team}-1`);
  });
});

