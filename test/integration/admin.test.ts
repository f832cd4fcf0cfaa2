import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, admin, adminOk, chat, createOrg } from "./helpers";

describe("admin API", () => {
  it("stores provider secrets encrypted and never returns them", async () => {
    const put = await adminOk<Record<string, unknown>>("PUT", "/providers/secret-test", { type: "openai", region: "us", api_key: "sk-live-super-secret-value" });
    expect(put.has_api_key).toBe(true);
    expect(JSON.stringify(put)).not.toContain("super-secret");
    const got = await adminOk("GET", "/providers/secret-test");
    expect(JSON.stringify(got)).not.toContain("super-secret");
    const row = await env.DB.prepare("SELECT spec, secret_enc FROM providers WHERE id = 'secret-test'").first<{ spec: string; secret_enc: string }>();
    expect(row!.spec).not.toContain("super-secret");
    expect(row!.secret_enc).not.toContain("super-secret");
    expect(row!.secret_enc).toMatch(/^v2\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
  });

  it("keys: shown once, stored hashed with a visible prefix", async () => {
    const org = await createOrg();
    const list = await adminOk<{ data: Array<{ id: string; prefix: string }> }>("GET", `/keys?team=${org.team}`);
    const key = list.data.find((k) => k.id === org.keyId)!;
    expect(org.apiKey.startsWith(key.prefix)).toBe(true);
    expect(JSON.stringify(list)).not.toContain(org.apiKey);
    const row = await env.DB.prepare("SELECT hash FROM api_keys WHERE id = ?").bind(org.keyId).first<{ hash: string }>();
    expect(row!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("config changes reach the data plane (allowed models)", async () => {
    const org = await createOrg({ models: ["sim-chat"] });
    expect((await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "x" }] })).status).toBe(200);
    const wl = await adminOk<Record<string, unknown>>("GET", `/workloads/${org.workload}`);
    await adminOk("PUT", `/workloads/${org.workload}`, { team: wl.team, default_data_class: "public", allowed_models: ["sim-embed"], lifecycle: "production" });
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(403);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe("model_not_allowed");
  });

  it("every write bumps the config version and leaves an audit row", async () => {
    const before = await env.DB.prepare("SELECT version FROM config_version WHERE id = 1").first<{ version: number }>();
    await adminOk("PUT", "/teams/audited-team", { monthly_budget_usd: 10, rpm: 10, tpm: 1000, residency: "eu" });
    const after = await env.DB.prepare("SELECT version FROM config_version WHERE id = 1").first<{ version: number }>();
    expect(after!.version).toBe((before?.version ?? 0) + 1);
    const audit = await env.DB.prepare("SELECT actor, action FROM audit_log WHERE resource = 'teams/audited-team' ORDER BY id DESC").first();
    expect(audit).toEqual({ actor: "test-admin", action: "team.put" });
  });

  it("refuses a workload for an unknown team and deleting a team with workloads", async () => {
    expect((await admin("PUT", "/workloads/orphan", { team: "no-such-team", default_data_class: "public", allowed_models: [], lifecycle: "dev" })).status).toBe(422);
    const org = await createOrg();
    expect((await admin("DELETE", `/teams/${org.team}`)).status).toBe(409);
  });

  it("deleting a workload revokes its keys", async () => {
    const org = await createOrg();
    expect((await admin("DELETE", `/workloads/${org.workload}`)).status).toBe(204);
    expect((await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "x" }] })).status).toBe(401);
  });

  it("faults only apply to simulated providers", async () => {
    await adminOk("PUT", "/providers/real-one", { type: "openai", region: "us" });
    expect((await admin("PUT", "/providers/real-one/faults", { mode: "outage" })).status).toBe(409);
  });

  describe("roles", () => {
    it.each([
      ["finance", "GET", "/usage", 200],
      ["finance", "GET", "/teams", 200],
      ["finance", "PUT", "/models/x", 403],
      ["finance", "POST", "/keys", 403],
      ["auditor", "GET", "/providers", 200],
      ["auditor", "GET", "/keys", 200],
      ["auditor", "DELETE", "/models/x", 403],
    ] as const)("%s %s %s → %i", async (role, method, path, status) => {
      const body = method === "PUT" ? { targets: [{ provider: "p", model: "m" }], data_classes: ["public"], price: { input_per_mtok: 1, output_per_mtok: 1 } } : method === "POST" ? { workload: "x" } : undefined;
      const res = await admin(method, path, body, { sub: role, role });
      expect(res.status).toBe(status);
    });

    it("team owners manage only their own team's keys", async () => {
      const mine = await createOrg();
      const theirs = await createOrg();
      const owner = { sub: "owner", role: "team-owner" as const, team: mine.team };
      expect((await admin("POST", "/keys", { workload: mine.workload }, owner)).status).toBe(201);
      expect((await admin("POST", "/keys", { workload: theirs.workload }, owner)).status).toBe(403);
      expect((await admin("DELETE", `/keys/${theirs.keyId}`, undefined, owner)).status).toBe(403);
      const keys = await (await admin("GET", "/keys", undefined, owner)).json<{ data: Array<{ team: string }> }>();
      expect(keys.data.length).toBeGreaterThan(0);
      expect(keys.data.every((k) => k.team === mine.team)).toBe(true);
      const usage = await (await admin("GET", `/usage?team=${theirs.team}&group_by=team`, undefined, owner)).json<{ data: Array<{ team: string }> }>();
      expect(usage.data.every((r) => r.team === mine.team)).toBe(true);
    });
  });

  it("serves an OpenAPI document generated from the zod schemas", async () => {
    const res = await SELF.fetch(`${BASE}/admin/v1/openapi.json`);
    const doc = await res.json<{ openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }>> }>();
    expect(doc.openapi).toBe("3.1.0");
    const teamPut = doc.paths["/admin/v1/teams/{id}"].put;
    expect(Object.keys(teamPut.requestBody!.content["application/json"].schema.properties)).toEqual(expect.arrayContaining(["monthly_budget_usd", "rpm", "tpm", "residency"]));
    expect(doc.paths["/admin/v1/keys"].post).toBeDefined();
  });
});
