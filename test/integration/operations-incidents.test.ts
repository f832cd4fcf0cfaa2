/**
 * Operations automation end to end with real bindings: a simulated provider fault set through
 * the admin faults API, the `*\/5` cron job run, and the incident's steps, timeline, breaker and
 * alerts checked through the admin API; then the fault lifted and the resolution and MTTR checked.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cronJobs, cronSchedule } from "../../workers/cron";
import { admin, adminOk, chat } from "./helpers";
import { faults, msg, providerGroup } from "./routing-helpers";

interface Step { step: string; outcome: string; inputs: Record<string, unknown> | null; detail: Record<string, unknown> }
interface Incident {
  id: string; kind: string; status: string; drill: boolean; subject: string; team: string | null;
  timeline: Record<string, string | null>; ttd_ms: number; ttr_ms: number | null; diagnosis: Record<string, unknown>;
  steps: Step[]; alerts: Array<{ id: string; kind: string; resolved_at: string | null }>;
}

const detect = () => cronJobs["incident-detection"](env, Date.now());
const breaker = (provider: string) => env.PROVIDER_HEALTH.get(env.PROVIDER_HEALTH.idFromName(`${provider}@${env.REGION}`)).snapshot();

async function incidentFor(subject: string, query = "kind=provider_outage"): Promise<Incident | undefined> {
  const { data } = await adminOk<{ data: Incident[] }>("GET", `/incidents?${query}`);
  const found = data.find((i) => i.subject === subject);
  return found ? adminOk<Incident>("GET", `/incidents/${found.id}`) : undefined;
}

describe("provider outage runbook", () => {
  it("is wired to the */5 cron", () => {
    expect(cronSchedule["*/5 * * * *"]).toContain("incident-detection");
  });

  it("detects a failing provider, opens its breaker, verifies the fallback, then resolves itself with MTTR", async () => {
    const g = await providerGroup();
    const [primary, fallback] = g.providers;
    await faults(primary, { mode: "errors", error_rate: 1 });
    await detect();

    const inc = (await incidentFor(`providers/${primary}`))!;
    expect(inc).toBeDefined();
    expect(inc.status).toBe("mitigated");
    expect(inc.steps.map((s) => s.step)).toEqual(["detect", "diagnose", "remediate", "verify"]);
    expect(inc.steps.every((s) => s.outcome === "ok")).toBe(true);
    expect(inc.diagnosis).toMatchObject({ provider: primary, region: "us", affected_models: [g.model], models_without_healthy_fallback: [] });
    expect(inc.diagnosis.error_kinds).toContain("http_503");
    expect(inc.diagnosis.fallbacks).toEqual([{ model: g.model, healthy: [fallback], failing: [] }]);
    expect(inc.diagnosis.affected_workloads).toContainEqual({ workload: g.org.workload, team: g.org.team });
    expect(inc.steps[3].detail).toEqual({ models: [{ model: g.model, fallback_answered: fallback }] });
    expect(inc.timeline.detected_at).not.toBeNull();
    expect(inc.timeline.mitigated_at).not.toBeNull();
    expect(inc.timeline.resolved_at).toBeNull();
    expect(inc.ttr_ms).toBeNull();
    // Remediation opened the shared breaker: every isolate routes around the provider.
    expect((await breaker(primary)).state).toBe("open");
    const served = await chat(g.org.apiKey, { model: g.model, ...msg() });
    expect(served.status).toBe(200);
    expect(served.headers.get("x-switchyard-provider")).toBe(fallback);
    // Every automated action left an audit row.
    const audits = await env.DB.prepare("SELECT action FROM audit_log WHERE resource = ?").bind(`incidents/${inc.id}`).all<{ action: string }>();
    expect(audits.results.map((a) => a.action)).toContain("runbook.remediate");

    // A second pass while still failing keeps one incident.
    await detect();
    const again = await adminOk<{ data: Incident[] }>("GET", "/incidents?kind=provider_outage&status=open");
    expect(again.data.filter((i) => i.subject === `providers/${primary}`)).toHaveLength(1);

    // The on-call engineer acknowledges the alert: the incident's timeline records it.
    const alerts = await adminOk<{ data: Array<{ id: string; incident_id: string; state: string }> }>("GET", "/alerts?kind=provider_outage&state=open");
    const alert = alerts.data.find((a) => a.incident_id === inc.id)!;
    expect(alert).toBeDefined();
    const acked = await adminOk<{ acknowledged_at: string | null; acknowledged_by: string }>("POST", `/alerts/${alert.id}/ack`, { note: "looking" });
    expect(acked.acknowledged_at).not.toBeNull();
    expect((await adminOk<Incident>("GET", `/incidents/${inc.id}`)).timeline.acknowledged_at).not.toBeNull();

    // The provider recovers: the next pass resolves the incident, resets the breaker, closes the alert.
    await faults(primary, { mode: "none" });
    await detect();
    const done = await adminOk<Incident>("GET", `/incidents/${inc.id}`);
    expect(done.status).toBe("resolved");
    expect(done.steps.at(-1)).toMatchObject({ step: "resolve", outcome: "ok" });
    expect(done.timeline.resolved_at).not.toBeNull();
    expect(done.ttr_ms).toBeGreaterThanOrEqual(0);
    expect(done.ttr_ms).toBe(Date.parse(done.timeline.resolved_at!) - Date.parse(done.timeline.started_at!));
    expect(done.alerts.every((a) => a.resolved_at !== null)).toBe(true);
    expect((await breaker(primary)).state).toBe("closed");

    const metrics = await adminOk<{ data: Array<{ kind: string; incidents: number; resolved: number; mttr_ms: number | null }> }>("GET", "/incidents/metrics");
    const outage = metrics.data.find((m) => m.kind === "provider_outage")!;
    expect(outage.resolved).toBeGreaterThanOrEqual(1);
    expect(outage.mttr_ms).not.toBeNull();
  }, 30_000);

  it("escalates to on-call when a model has no healthy fallback", async () => {
    const g = await providerGroup();
    await faults(g.providers[0], { mode: "errors", error_rate: 1 });
    await faults(g.providers[1], { mode: "errors", error_rate: 1 });
    await detect();
    const inc = (await incidentFor(`providers/${g.providers[0]}`))!;
    expect(inc.diagnosis.models_without_healthy_fallback).toEqual([g.model]);
    const escalate = inc.steps.find((s) => s.step === "escalate")!;
    expect(escalate.inputs).toMatchObject({ reason: `no healthy fallback for ${g.model}` });
    expect(inc.status).toBe("open");
    const paged = await env.DB.prepare("SELECT evidence FROM alerts WHERE id = ?").bind(escalate.detail.alert).first<{ evidence: string }>();
    expect(JSON.parse(paged!.evidence)).toMatchObject({ escalated_to: ["on-call"], models_without_healthy_fallback: [g.model] });
    await faults(g.providers[0], { mode: "none" });
    await faults(g.providers[1], { mode: "none" });
    await detect();
    expect((await adminOk<Incident>("GET", `/incidents/${inc.id}`)).status).toBe("resolved");
  }, 30_000);

  it("drills against a synthetic fault without touching production state", async () => {
    const g = await providerGroup();
    const res = await admin("POST", "/runbooks/provider_outage/drill", { provider: g.providers[0] });
    expect(res.status).toBe(201);
    const inc = (await res.json()) as Incident;
    expect(inc).toMatchObject({ drill: true, status: "resolved", kind: "provider_outage" });
    expect(inc.steps.map((s) => [s.step, s.outcome])).toEqual([["detect", "ok"], ["diagnose", "ok"], ["remediate", "dry_run"], ["verify", "ok"], ["resolve", "dry_run"]]);
    expect((await breaker(g.providers[0])).state).toBe("closed");
    // Drills are listed as drills and kept out of the monthly figures by default.
    const drills = await adminOk<{ data: Incident[] }>("GET", "/incidents?drill=true");
    expect(drills.data.map((i) => i.id)).toContain(inc.id);
    expect((await admin("POST", "/runbooks/nope/drill", {})).status).toBe(404);
    expect((await admin("POST", "/runbooks/provider_outage/drill", { provider: "no-such-provider" })).status).toBe(422);
    expect((await admin("POST", "/runbooks/provider_outage/drill", { bogus: 1 })).status).toBe(400);
  }, 30_000);
});

describe("alerts API", () => {
  it("filters, scopes team owners to their team, and refuses bad queries", async () => {
    const { raiseAlert } = await import("../../src/operations/alerts");
    const a = await raiseAlert(env, { kind: "test_kind", severity: "warning", title: "A", evidence: { team: "team-a" } });
    const b = await raiseAlert(env, { kind: "test_kind", severity: "critical", title: "B", evidence: {}, team: "team-b" });
    const crit = await adminOk<{ data: Array<{ id: string }> }>("GET", "/alerts?kind=test_kind&severity=critical");
    expect(crit.data.map((x) => x.id)).toEqual([b.id]);
    const byTeam = await adminOk<{ data: Array<{ id: string; team: string }> }>("GET", "/alerts?kind=test_kind&team=team-a");
    expect(byTeam.data).toMatchObject([{ id: a.id, team: "team-a" }]);
    await adminOk("POST", `/alerts/${a.id}/resolve`, {});
    const open = await adminOk<{ data: Array<{ id: string }> }>("GET", "/alerts?kind=test_kind&state=open");
    expect(open.data.map((x) => x.id)).toEqual([b.id]);
    const closed = await adminOk<{ data: Array<{ id: string; state: string }> }>("GET", "/alerts?kind=test_kind&state=closed");
    expect(closed.data).toMatchObject([{ id: a.id, state: "closed" }]);
    const owner = { sub: "owner-a", role: "team-owner" as const, team: "team-a" };
    const mine = (await (await admin("GET", "/alerts?kind=test_kind", undefined, owner)).json()) as { data: Array<{ id: string }> };
    expect(mine.data.map((x) => x.id)).toEqual([a.id]);
    expect((await admin("POST", `/alerts/${b.id}/ack`, {}, owner)).status).toBe(404);
    expect((await admin("GET", "/alerts?severity=bad")).status).toBe(400);
    expect((await admin("GET", "/alerts?since=yesterday")).status).toBe(400);
    expect((await admin("POST", "/alerts/alert_nope/ack", {})).status).toBe(404);
    const later = await adminOk<{ data: unknown[] }>("GET", `/alerts?kind=test_kind&since=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(later.data).toEqual([]);
  });
});
