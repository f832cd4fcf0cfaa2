/**
 * The demo organisation is plain data written straight to D1 by the seed, so check it against
 * the same zod schemas the admin API enforces, and check the running gateway serves it.
 */
import net from "node:net";
import { describe, expect, inject, it } from "vitest";
import { cachePolicyProblem } from "../../src/cache/validate";
import { ModelPut, ProviderPut, TeamPut, WorkloadPut } from "../../src/config/schemas";
// @ts-expect-error: plain ESM script without type declarations
import { DEMO_MODELS, DEMO_PROVIDERS, DEMO_TEAMS, DEMO_WORKLOADS } from "../../scripts/lib/demo-org.mjs";

describe("demo organisation", () => {
  it("matches the admin schemas", () => {
    for (const spec of Object.values(DEMO_PROVIDERS)) expect(ProviderPut.safeParse(spec).success).toBe(true);
    for (const spec of Object.values(DEMO_MODELS)) expect(ModelPut.safeParse(spec).success).toBe(true);
    for (const spec of Object.values(DEMO_TEAMS)) expect(TeamPut.safeParse(spec).success).toBe(true);
    for (const spec of Object.values(DEMO_WORKLOADS)) expect(WorkloadPut.safeParse(spec).success).toBe(true);
    // What the admin API checks beyond the schema: a semantic cache names a usable embeddings model.
    for (const [id, spec] of Object.entries(DEMO_WORKLOADS) as Array<[string, WorkloadPut]>) {
      if (spec.cache) expect(cachePolicyProblem(spec.cache, spec.default_data_class, DEMO_MODELS[spec.cache.embedding_model ?? ""]), id).toBeUndefined();
    }
  });

  it("covers every data class and at least two residency zones", () => {
    const classes = new Set(Object.values(DEMO_WORKLOADS).map((w) => (w as { default_data_class: string }).default_data_class));
    expect([...classes].sort()).toEqual(["internal", "public", "restricted"]);
    const zones = new Set(Object.values(DEMO_TEAMS).map((t) => (t as { residency: string }).residency));
    expect(zones.size).toBeGreaterThanOrEqual(2);
  });

  it("has 90 days of usage history visible to finance", async () => {
    const { SignJWT } = await import("jose");
    const token = await new SignJWT({ role: "finance" }).setProtectedHeader({ alg: "HS256" }).setSubject("cfo").setIssuer("switchyard").setAudience("switchyard-admin").setExpirationTime("5m").sign(new TextEncoder().encode(inject("adminSecret")));
    const res = await fetch(`${inject("gatewayUrl")}/admin/v1/usage?group_by=day`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { data: Array<{ day: string }> };
    expect(body.data.length).toBeGreaterThanOrEqual(90);
  });

  it("every demo key works for its workload's first model", async () => {
    for (const k of inject("demoKeys")) {
      const model = (DEMO_WORKLOADS[k.workload] as { allowed_models: string[] }).allowed_models.find((m: string) => (DEMO_MODELS[m] as { kind: string }).kind === "chat");
      const res = await fetch(`${inject("gatewayUrl")}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${k.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ model, messages: [{ role: "user", content: "ping" }] }),
      });
      expect(res.status, `${k.workload} → ${model}`).toBe(200);
      expect(res.headers.get("x-switchyard-data-class")).toBe(k.dataClass);
    }
  });
});

describe("raw HTTP abuse", () => {
  function raw(request: string): Promise<string> {
    const { hostname, port } = new URL(inject("gatewayUrl"));
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => socket.end(request));
      let out = "";
      socket.on("data", (d) => (out += d.toString("latin1")));
      socket.on("end", () => resolve(out));
      socket.on("error", reject);
    });
  }

  it("answers CR/LF header injection with a 4xx and keeps serving", async () => {
    const answer = await raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nx-request-id: a\rInjected: yes\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
    expect(answer).toMatch(/^HTTP\/1\.1 4\d\d/);
    expect(answer).not.toMatch(/Injected: yes/i);
    const health = await fetch(`${inject("gatewayUrl")}/healthz`);
    expect(health.status).toBe(200);
  });
});
