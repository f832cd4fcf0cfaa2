import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { admin, adminOk, chat } from "./helpers";
import { msg, providerGroup, usageRows } from "./routing-helpers";

describe("routing rules: versioned, audited, rolled back", () => {
  it("keeps every change as a version with author, time and diff, and rolls back to any version", async () => {
    const g = await providerGroup();
    const path = `/routing/rules/team/${g.org.team}`;
    const v1 = await adminOk<{ version: number }>("PUT", path, { strategy: "lowest_cost", note: "batch work" });
    expect(v1.version).toBe(1);
    const v2 = await adminOk<{ version: number; diff: unknown }>("PUT", path, { strategy: "lowest_latency" });
    expect(v2.version).toBe(2);
    expect(v2.diff).toEqual([{ path: "note", from: "batch work", to: null }, { path: "strategy", from: "lowest_cost", to: "lowest_latency" }]);
    const rb = await adminOk<{ version: number; action: string; restored_from: number; rule: { strategy: string } }>("POST", `${path}/rollback`, { version: 1 });
    expect(rb).toMatchObject({ version: 3, action: "rollback", restored_from: 1, rule: { strategy: "lowest_cost" } });
    const del = await adminOk<{ version: number; rule: null }>("DELETE", path);
    expect(del).toMatchObject({ version: 4, rule: null });
    expect((await admin("GET", path)).status).toBe(404);
    const versions = await adminOk<{ data: Array<{ version: number; author: string; created_at: string; action: string }> }>("GET", `${path}/versions`);
    expect(versions.data.map((v) => [v.version, v.action])).toEqual([[4, "delete"], [3, "rollback"], [2, "put"], [1, "put"]]);
    expect(versions.data.every((v) => v.author === "test-admin" && v.created_at)).toBe(true);
    const audit = await env.DB.prepare("SELECT action FROM audit_log WHERE resource LIKE ? ORDER BY id").bind(`routing-rules/team/${g.org.team}@%`).all<{ action: string }>();
    expect(audit.results.map((a) => a.action)).toEqual(["routing_rule.put", "routing_rule.put", "routing_rule.rollback", "routing_rule.delete"]);
  });

  it("refuses bad rules with RFC 9457 problems", async () => {
    const g = await providerGroup();
    const bad = await admin("PUT", `/routing/rules/team/${g.org.team}`, { strategy: "cheapest" });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    expect((await admin("PUT", `/routing/rules/team/${g.org.team}`, { pin: ["no-such-provider"] })).status).toBe(422);
    expect((await admin("PUT", `/routing/rules/galaxy/${g.org.team}`, { strategy: "ordered" })).status).toBe(400);
    expect((await admin("PUT", `/routing/rules/workload/no-such-workload`, { strategy: "ordered" })).status).toBe(422);
    expect((await admin("POST", `/routing/rules/team/${g.org.team}/rollback`, { version: 99 })).status).toBe(404);
    const other = await admin("PUT", `/routing/rules/team/${g.org.team}`, { strategy: "ordered" }, { sub: "owner", role: "team-owner", team: "someone-else" });
    expect(other.status).toBe(403);
  });
});

describe("multi-signal routing through the gateway", () => {
  it("routes two workloads of one team differently, naming the rule version in the header and the usage row", async () => {
    const g = await providerGroup({
      targets: [{ price: { input_per_mtok: 10, output_per_mtok: 30 } }, { price: { input_per_mtok: 0.1, output_per_mtok: 0.2 } }],
    });
    const [premium, cheap] = g.providers;
    await adminOk("PUT", `/routing/rules/team/${g.org.team}`, { strategy: "ordered" });
    await adminOk("PUT", `/routing/rules/workload/${g.org.workload}`, { strategy: "lowest_cost" });
    const r = await chat(g.org.apiKey, { model: g.model, ...msg() }, { "x-request-id": `cost-${g.model}` });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-switchyard-provider")).toBe(cheap);
    const route = r.headers.get("x-switchyard-route")!;
    expect(route).toBe(`workload:${g.org.workload}@v1+team:${g.org.team}@v1 lowest_cost; served=${cheap}`);
    // A second workload of the same team pins the premium provider.
    const w2 = `${g.org.workload}-pinned`;
    await adminOk("PUT", `/workloads/${w2}`, { team: g.org.team, default_data_class: "public", allowed_models: [g.model], lifecycle: "production" });
    const key2 = await adminOk<{ api_key: string }>("POST", "/keys", { workload: w2 });
    await adminOk("PUT", `/routing/rules/workload/${w2}`, { strategy: "lowest_latency", pin: [premium] });
    const r2 = await chat(key2.api_key, { model: g.model, ...msg() });
    expect(r2.headers.get("x-switchyard-provider")).toBe(premium);
    expect(r2.headers.get("x-switchyard-route")).toContain(`workload:${w2}@v1`);
    const [row] = await usageRows([`cost-${g.model}`]);
    expect(row.route).toBe(route);
  });

  it("matches capabilities: a tools request skips a target that cannot call tools", async () => {
    const g = await providerGroup({ targets: [{ capabilities: { tools: false } }, {}] });
    const r = await chat(g.org.apiKey, {
      model: g.model, ...msg(), tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }],
    });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-switchyard-provider")).toBe(g.providers[1]);
  });

  it("tries fallback tiers in order and splits by weight inside a tier", async () => {
    const g = await providerGroup({ count: 3, targets: [{ tier: 1 }, { weight: 1 }, { weight: 0 }], model: { routing: { strategy: "weighted" } } });
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const r = await chat(g.org.apiKey, { model: g.model, ...msg() });
      seen.add(r.headers.get("x-switchyard-provider")!);
      await r.text();
    }
    expect([...seen]).toEqual([g.providers[1]]);
  });

  it("a rule change and its rollback reach the hot path through the policy bundle", async () => {
    const g = await providerGroup();
    await adminOk("PUT", `/routing/rules/workload/${g.org.workload}`, { exclude: [g.providers[0]] });
    const r = await chat(g.org.apiKey, { model: g.model, ...msg() });
    expect(r.headers.get("x-switchyard-provider")).toBe(g.providers[1]);
    await adminOk("POST", `/routing/rules/workload/${g.org.workload}/rollback`, { version: 1 });
    await adminOk("DELETE", `/routing/rules/workload/${g.org.workload}`);
    const r2 = await chat(g.org.apiKey, { model: g.model, ...msg() });
    expect(r2.headers.get("x-switchyard-provider")).toBe(g.providers[0]);
    expect(r2.headers.get("x-switchyard-route")).toMatch(/^team:|^default/);
  });
});
