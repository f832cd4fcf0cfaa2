/**
 * The restricted-tier proof: requests carrying canary strings go through every path a restricted
 * request can take (JSON, stream, cache-enabled workload, declared header, DLP refusal, model
 * refusal, upstream failure), then EVERY local store is scanned for the canaries: all R2 objects
 * (listing and bodies), every row of every D1 table, and the cache under every scope it could use.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { exactCacheKey } from "../../src/cache/key";
import { cacheNamespace } from "../../src/cache/policy";
import { readCached } from "../../src/cache/store";
import { runRestrictedAudit } from "../../src/logging/audit";
import { BASE, adminOk, chat, createOrg, eventually } from "./helpers";

async function everyD1Row(): Promise<string> {
  const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").all<{ name: string }>();
  let dump = "";
  for (const t of tables.results) {
    const rows = await env.DB.prepare(`SELECT * FROM "${t.name}"`).all();
    dump += `${t.name}:${JSON.stringify(rows.results)}\n`;
  }
  return dump;
}

async function everyR2Object(): Promise<string> {
  let dump = "";
  let cursor: string | undefined;
  do {
    const page = await env.BLOBS.list({ cursor, include: ["customMetadata", "httpMetadata"] });
    for (const o of page.objects) {
      const obj = await env.BLOBS.get(o.key);
      dump += `${o.key} ${JSON.stringify(o.customMetadata ?? {})} ${obj ? await obj.text() : ""}\n`;
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return dump;
}

describe("restricted content never lands in a store", () => {
  it("canaries sent through every restricted path appear in no R2 object, D1 row or cache entry", async () => {
    const canary = `CANARY${crypto.randomUUID().replace(/-/g, "")}`;
    const org = await createOrg({ dataClass: "restricted", cache: { mode: "exact" } });
    const pub = await createOrg({ cache: { mode: "semantic", embedding_model: "sim-embed" } });
    await adminOk("PUT", "/providers/sim-down", { type: "simulated", region: "us" });
    await adminOk("PUT", "/providers/sim-down/faults", { mode: "errors", error_rate: 1 });
    await adminOk("PUT", "/models/sim-down-chat", { targets: [{ provider: "sim-down", model: "x" }], data_classes: ["restricted"], price: { input_per_mtok: 1, output_per_mtok: 1 } });
    const down = await createOrg({ dataClass: "restricted", models: ["sim-down-chat"] });
    const msg = (extra = "") => [{ role: "user" as const, content: `${canary} ${extra}` }];
    const calls: Array<Promise<Response>> = [
      chat(org.apiKey, { model: "sim-chat", messages: msg("json") }),
      chat(org.apiKey, { model: "sim-chat", stream: true, stream_options: { include_usage: true }, messages: msg("stream") }),
      chat(org.apiKey, { model: "sim-chat", messages: msg("json") }),
      chat(pub.apiKey, { model: "sim-chat", messages: msg("declared") }, { "x-data-class": "restricted" }),
      chat(pub.apiKey, { model: "sim-chat", stream: true, messages: msg("declared stream") }, { "x-data-class": "restricted" }),
      chat(org.apiKey, { model: "sim-chat", messages: msg("with a credential sk_live_4eC39HqLyjWDarjtT1zdp7dc") }),
      chat(org.apiKey, { model: "sim-embed", messages: msg("wrong model kind") }),
      chat(down.apiKey, { model: "sim-down-chat", messages: msg("upstream down") }),
      SELF.fetch(`${BASE}/v1/embeddings`, { method: "POST", headers: { authorization: `Bearer ${org.apiKey}` }, body: JSON.stringify({ model: "sim-embed", input: `${canary} embed` }) }),
    ];
    const responses = await Promise.all(calls);
    const statuses = await Promise.all(responses.map(async (r) => (await r.text(), r.status)));
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses[5]).toBe(403);
    expect(statuses.slice(6).every((s) => s >= 400)).toBe(true);
    // Let the queue consumer write everything these requests produced.
    await eventually(async () => {
      const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM request_logs WHERE team IN (?, ?, ?)").bind(org.team, pub.team, down.team).first<{ n: number }>();
      return (n?.n ?? 0) >= 9;
    }, 20_000);
    await eventually(async () => {
      const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM usage_events WHERE team IN (?, ?, ?)").bind(org.team, pub.team, down.team).first<{ n: number }>();
      return (n?.n ?? 0) >= 9;
    }, 20_000);

    const d1 = await everyD1Row();
    expect(d1.length).toBeGreaterThan(1000);
    expect(d1).not.toContain(canary);
    const r2 = await everyR2Object();
    expect(r2).not.toContain(canary);

    // Cache: no entry under any namespace this content could have used.
    for (const w of [org, pub]) {
      const ours = cacheNamespace("public", { id: w.workload, team: w.team, cache: undefined, dlp: undefined })!;
      // Restricted has no namespace; the string is what one would look like if a bug made one.
      for (const namespace of [ours, ours.replace(/^public/, "internal"), ours.replace(/^public/, "restricted")]) {
        for (const body of [{ model: "sim-chat", messages: msg("json") }, { model: "sim-chat", messages: msg("declared") }]) {
          expect(await readCached(await exactCacheKey(namespace, "sim-chat", body))).toBeUndefined();
        }
      }
    }
    const again = await chat(org.apiKey, { model: "sim-chat", messages: msg("json") });
    expect(again.headers.get("x-switchyard-cache")).toBe("bypass");
    await again.arrayBuffer();

    const report = await runRestrictedAudit(env, Date.now());
    expect(report.ok).toBe(true);
  }, 90_000);
});
