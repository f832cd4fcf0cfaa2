import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cronJobs, cronSchedule } from "../../workers/cron";
import { adminOk, chat } from "./helpers";
import { faults, msg, providerGroup, sleep } from "./routing-helpers";

interface Drill { model: string; provider: string; fallback_provider: string | null; rerouted: boolean; fallback_ok: boolean; recovery_ms: number | null; verdict: string; fault: string }

describe("failover drills", () => {
  it("simulates an outage for drill traffic only, verifies reroute, fallback and recovery, and stores the result", async () => {
    const g = await providerGroup();
    const [primary, fallback] = g.providers;
    const running = adminOk<{ data: Drill[] }>("POST", "/failover-drills/run", { model: g.model, attempt_timeout_ms: 300, recovery_bound_ms: 10_000 });
    // Production traffic during the drill is untouched: the primary still serves it.
    await sleep(150);
    const prod = await chat(g.org.apiKey, { model: g.model, ...msg() });
    expect(prod.status).toBe(200);
    expect(prod.headers.get("x-switchyard-provider")).toBe(primary);
    const { data } = await running;
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ model: g.model, provider: primary, fallback_provider: fallback, rerouted: true, fallback_ok: true, verdict: "pass", fault: "outage(drill_only)" });
    expect(data[0].recovery_ms).toBeGreaterThanOrEqual(0);
    const listed = await adminOk<{ data: Array<Drill & { id: string }> }>("GET", `/failover-drills?model=${g.model}`);
    expect(listed.data[0]).toMatchObject({ verdict: "pass", rerouted: true, fallback_ok: true });
    // The fault is lifted afterwards, and drill usage is attributed to the drill identity.
    const p = await adminOk<{ faults: { mode: string } }>("GET", `/providers/${primary}`);
    expect(p.faults.mode).toBe("none");
    const drillRows = await env.DB.prepare("SELECT COUNT(*) AS n FROM usage_events WHERE team = 'switchyard-drills' AND model = ?").bind(g.model).first<{ n: number }>();
    expect(drillRows!.n).toBeGreaterThan(0);
    // A drill never opens a production circuit.
    const h = await adminOk<{ isolate: { state: string } }>("GET", `/providers/${primary}/health`);
    expect(h.isolate.state).toBe("closed");
  }, 30_000);

  it("fails the drill and raises an alert when the fallback is broken too", async () => {
    const g = await providerGroup();
    await faults(g.providers[1], { mode: "errors", error_rate: 1 });
    const { data } = await adminOk<{ data: Drill[] }>("POST", "/failover-drills/run", { model: g.model, attempt_timeout_ms: 200, recovery_bound_ms: 3_000 });
    expect(data[0]).toMatchObject({ rerouted: false, fallback_ok: false, verdict: "fail" });
    const alert = await env.DB.prepare("SELECT * FROM alerts WHERE kind = 'failover_drill' AND title LIKE ?").bind(`%${g.model}%`).first<{ severity: string; evidence: string }>();
    expect(alert?.severity).toBe("critical");
    expect(JSON.parse(alert!.evidence)).toMatchObject({ model: g.model, rerouted: false });
  }, 30_000);

  it("is scheduled daily and refuses bad input", async () => {
    expect(cronSchedule["0 3 * * *"]).toContain("failover-drills");
    expect(typeof cronJobs["failover-drills"]).toBe("function");
    const { admin } = await import("./helpers");
    expect((await admin("POST", "/failover-drills/run", { model: "Not An Id" })).status).toBe(400);
    expect((await admin("POST", "/failover-drills/run", { attempt_timeout_ms: -1 })).status).toBe(400);
  });
});
