import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminOk } from "./helpers";

const stub = (name: string) => env.PROVIDER_HEALTH.get(env.PROVIDER_HEALTH.idFromName(name));
const fail = (at: number) => ({ ok: false, latencyMs: 50, at });

describe("ProviderHealth Durable Object", () => {
  it("opens the shared circuit after consecutive failures from batched reports, persists it, and resets", async () => {
    const s = stub(`dead-${Date.now()}@us`);
    const now = Date.now();
    const after3 = await s.report([fail(now), fail(now + 1), fail(now + 2)]);
    expect(after3.state).toBe("closed");
    expect(after3.consecutiveFailures).toBe(3);
    const after5 = await s.report([fail(now + 3), fail(now + 4)]);
    expect(after5.state).toBe("open");
    // Stored in the object's SQLite storage, not only in memory.
    const stored = await runInDurableObject(s, async (_obj, state) => state.storage.kv.get<{ state: string }>("stats"));
    expect(stored?.state).toBe("open");
    // BREAKER_COOLDOWN_MS (1 s in tests) later, the snapshot says half-open.
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await s.snapshot()).state).toBe("half_open");
    const reset = await s.reset();
    expect(reset).toMatchObject({ state: "closed", samples: 0 });
  });

  it("is visible through the admin API, and the OpenAPI document lists the routing routes", async () => {
    await adminOk("PUT", "/providers/health-probe", { type: "simulated", region: "us" });
    const h = await adminOk<{ provider: string; region: string; shared: { state: string }; isolate: { state: string } }>("GET", "/providers/health-probe/health");
    expect(h).toMatchObject({ provider: "health-probe", region: "us", shared: { state: "closed" }, isolate: { state: "closed" } });
    const doc = await adminOk<{ paths: Record<string, unknown> }>("GET", "/openapi.json");
    for (const p of ["/admin/v1/routing/rules/{scope}/{subject}", "/admin/v1/routing/rules/{scope}/{subject}/rollback", "/admin/v1/failover-drills", "/admin/v1/failover-drills/run", "/admin/v1/providers/{id}/health"]) {
      expect(doc.paths[p]).toBeDefined();
    }
  });
});
