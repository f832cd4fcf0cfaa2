/**
 * Three regional edges with separate zone stores (test/integration/routing-edge-worker.ts): the
 * main test worker plays `us` (its D1 is also the global control plane), EDGE_EU and EDGE_APAC
 * have their own D1, R2 and queues and read configuration from the control plane. What a
 * data-protection officer would check is checked in the stores themselves.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../workers/app";
import { adminToken, BASE, createOrg, eventually } from "./helpers";
import { usageRows } from "./routing-helpers";

type Zone = "us" | "eu" | "apac";
const ZONES: Zone[] = ["us", "eu", "apac"];
const zoneDb: Record<Zone, D1Database> = { us: env.DB, eu: env.DB_EU, apac: env.DB_APAC };
const zoneBlobs: Record<Zone, R2Bucket> = { us: env.BLOBS, eu: env.BLOBS_EU, apac: env.BLOBS_APAC };

/** One request through the given region's edge. */
async function viaEdge(zone: Zone, path: string, init: RequestInit = {}): Promise<Response> {
  const request = new Request(`${BASE}${path}`, init);
  if (zone === "eu") return env.EDGE_EU.fetch(request);
  if (zone === "apac") return env.EDGE_APAC.fetch(request);
  const ctx = createExecutionContext();
  const res = await app.fetch(request, { ...env, REGION: "us", REGION_EDGES: JSON.stringify({ eu: "service:EDGE_EU", apac: "service:EDGE_APAC" }) }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function adminVia<T>(zone: Zone, method: string, path: string, body?: unknown): Promise<T> {
  const res = await viaEdge(zone, `/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${await adminToken()}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${zone} ${method} ${path} → ${res.status} ${await res.text()}`);
  return res.json<T>();
}

function chatVia(zone: Zone, apiKey: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return viaEdge(zone, "/v1/chat/completions", {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** Until the edge's bundle knows the key (edges check the control plane's version in the background). */
async function served(zone: Zone, apiKey: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return eventually(async () => {
    const r = await chatVia(zone, apiKey, body, headers);
    return r.status === 200 ? r : (await r.text(), undefined);
  });
}

async function rowsFor(db: D1Database, table: "usage_events" | "request_logs", marker: string): Promise<number> {
  const row = await db.prepare(`SELECT count(*) AS n FROM ${table} WHERE request_id = ?1 OR client_request_id = ?1`).bind(marker).first<{ n: number }>();
  return row?.n ?? 0;
}

/** Whether any object in the bucket holds `text` (bodies are stored as written, JSON lines). */
async function bucketHolds(bucket: R2Bucket, text: string): Promise<boolean> {
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ cursor });
    for (const o of page.objects) {
      const body = await bucket.get(o.key);
      if (body && (await body.text()).includes(text)) return true;
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return false;
}

describe("three regional edges, one control plane, zone-local data", () => {
  it("a key created through any edge's admin API works on every edge (and lives only in the control plane)", async () => {
    await createOrg(); // providers and the sim-chat model
    const n = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const team = `team-apac-${n}`;
    const workload = `wl-apac-${n}`;
    await adminVia("eu", "PUT", `/teams/${team}`, { monthly_budget_usd: 100, rpm: 100000, tpm: 100000000, residency: "apac" });
    await adminVia("apac", "PUT", `/workloads/${workload}`, { team, default_data_class: "public", allowed_models: ["sim-chat"], lifecycle: "production" });
    const key = await adminVia<{ id: string; api_key: string }>("eu", "POST", "/keys", { workload });
    for (const zone of ZONES) {
      const res = await served(zone, key.api_key, { model: "sim-chat", messages: [{ role: "user", content: `hello from ${zone}` }] });
      expect(res.headers.get("x-switchyard-region")).toBe("apac");
      expect(res.headers.get("x-switchyard-forwarded-from")).toBe(zone === "apac" ? null : zone);
      await res.arrayBuffer();
    }
    const where = "SELECT count(*) AS n FROM api_keys WHERE id = ?";
    expect((await env.DB.prepare(where).bind(key.id).first<{ n: number }>())!.n).toBe(1);
    expect((await env.DB_EU.prepare(where).bind(key.id).first<{ n: number }>())!.n).toBe(0);
    expect((await env.DB_APAC.prepare(where).bind(key.id).first<{ n: number }>())!.n).toBe(0);
  });

  it("a request on a foreign edge is forwarded home; its usage, log and body exist only in the home zone", async () => {
    const org = await createOrg({ residency: "eu", dataClass: "internal" });
    const marker = `dpo-marker-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const res = await served("apac", org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: `confidential ${marker}` }] }, { "x-request-id": marker });
    expect(res.headers.get("x-switchyard-region")).toBe("eu");
    expect(res.headers.get("x-switchyard-forwarded-from")).toBe("apac");
    // Internal data is zone-bound by default: served by the eu provider only.
    expect(res.headers.get("x-switchyard-provider")).toBe("sim-eu");
    await res.arrayBuffer();
    const [usage] = await usageRows([marker], env.DB_EU);
    expect(usage).toMatchObject({ region: "eu", forwarded_from: "apac", team: org.team });
    await eventually(async () => (await rowsFor(env.DB_EU, "request_logs", marker)) === 1);
    await eventually(() => bucketHolds(env.BLOBS_EU, marker));
    for (const zone of ["us", "apac"] as const) {
      expect(await rowsFor(zoneDb[zone], "usage_events", marker)).toBe(0);
      expect(await rowsFor(zoneDb[zone], "request_logs", marker)).toBe(0);
      expect(await bucketHolds(zoneBlobs[zone], marker)).toBe(false);
    }
  });

  it("concurrent requests for one team through all three edges never overspend its budget", async () => {
    // Each call costs (≈2 prompt tokens × $1 + 12 output tokens × $2) / 1M ≈ $0.000028.
    const budget = 0.0003;
    const org = await createOrg({ residency: "eu", budgetUsd: budget });
    await served("eu", org.apiKey, { model: "sim-chat", max_tokens: 1, messages: [{ role: "user", content: "warm" }] }).then((r) => r.arrayBuffer());
    await served("us", org.apiKey, { model: "sim-chat", max_tokens: 1, messages: [{ role: "user", content: "warm" }] }).then((r) => r.arrayBuffer());
    await served("apac", org.apiKey, { model: "sim-chat", max_tokens: 1, messages: [{ role: "user", content: "warm" }] }).then((r) => r.arrayBuffer());
    const ask = (i: number) => ({ model: "sim-chat", max_tokens: 12, messages: [{ role: "user", content: `hello ${i % 10}` }] });
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => chatVia(ZONES[i % 3], org.apiKey, ask(i))));
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 429);
    expect(ok.length + refused.length).toBe(60);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of results) expect(r.headers.get("x-switchyard-region")).toBe("eu");
    const costs = await Promise.all(ok.map(async (r) => {
      const b = await r.json<{ usage: { prompt_tokens: number; completion_tokens: number } }>();
      return b.usage.prompt_tokens * 1000 + b.usage.completion_tokens * 2000;
    }));
    await Promise.all(refused.map((r) => r.arrayBuffer()));
    const spent = await eventually(async () => {
      const v = await adminVia<{ spent_usd: number; reserved_usd: number }>("eu", "GET", `/teams/${org.team}/budget`);
      return v.reserved_usd === 0 ? v.spent_usd : undefined;
    });
    expect(spent).toBeLessThanOrEqual(budget + Math.max(...costs) / 1e9);
  });

  it("an in-zone outage answers 503 naming the residency rule, without crossing zones", async () => {
    const org = await createOrg({ residency: "eu", dataClass: "internal" });
    const n = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const [pUs, pEu] = [`out-us-${n}`, `out-eu-${n}`];
    await adminVia("us", "PUT", `/providers/${pUs}`, { type: "simulated", region: "us" });
    await adminVia("us", "PUT", `/providers/${pEu}`, { type: "simulated", region: "eu" });
    const model = `m-out-${n}`;
    await adminVia("us", "PUT", `/models/${model}`, {
      targets: [{ provider: pEu, model: "sim-eu", timeout_ms: 400 }, { provider: pUs, model: "sim-us", timeout_ms: 400 }],
      data_classes: ["public", "internal", "restricted"],
      price: { input_per_mtok: 1, output_per_mtok: 2 },
    });
    await adminVia("us", "PUT", `/workloads/${org.workload}`, { team: org.team, default_data_class: "internal", allowed_models: [model], lifecycle: "production" });
    await adminVia("us", "PUT", `/providers/${pEu}/faults`, { mode: "outage" });
    const res = await eventually(async () => {
      const r = await chatVia("us", org.apiKey, { model, messages: [{ role: "user", content: "hello" }] });
      return r.status === 503 ? r : (await r.text(), undefined);
    });
    const body = await res.json<{ error: { code: string; message: string } }>();
    expect(res.headers.get("x-switchyard-region")).toBe("eu");
    expect(body.error.message).toMatch(/residency (rule|zone eu)/);
    expect(body.error.message).not.toContain(`${pUs}/`);
    const rows = await usageRows([res.headers.get("x-request-id")!], env.DB_EU);
    expect(rows[0].provider).not.toBe(pUs);
    for (const zone of ZONES) {
      const used = await zoneDb[zone].prepare("SELECT count(*) AS n FROM usage_events WHERE provider = ?").bind(pUs).first<{ n: number }>();
      expect(used!.n).toBe(0);
    }
  });
});
