/**
 * Budget-breach and DLP-spike runbooks end to end: real traffic through the gateway (the budget
 * ledger, DLP and the usage queue are the real ones), detection run as the cron runs it, the
 * remediation checked on live config, then the condition cleared and the undo checked.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runDetection } from "../../src/operations/runbooks";
import { admin, adminOk, chat, createOrg, eventually } from "./helpers";

interface Step { step: string; outcome: string; inputs: Record<string, unknown> | null; detail: Record<string, unknown> }
interface Incident { id: string; status: string; subject: string; team: string | null; diagnosis: Record<string, unknown>; steps: Step[]; alerts: Array<{ kind: string }>; timeline: Record<string, string | null> }

async function incidentFor(kind: string, subject: string): Promise<Incident | undefined> {
  const { data } = await adminOk<{ data: Incident[] }>("GET", `/incidents?kind=${kind}`);
  const found = data.find((i) => i.subject === subject);
  return found ? adminOk<Incident>("GET", `/incidents/${found.id}`) : undefined;
}

const workloadSpec = async (id: string) => JSON.parse((await env.DB.prepare("SELECT spec FROM workloads WHERE id = ?").bind(id).first<{ spec: string }>())!.spec) as {
  limits?: { rpm?: number }; dlp?: { actions?: Record<string, unknown> };
};

describe("budget breach runbook", () => {
  it("diagnoses the spend, throttles the heaviest workload per team policy, pages owner and finance, and undoes it when resolved", async () => {
    const org = await createOrg({ budgetUsd: 0.0002 });
    await adminOk("PUT", `/operations/policies/${org.team}`, { budget_action: "throttle", throttle_rpm: 5, owner_email: "owner@acme.test", finance_email: "finance@acme.test" });
    let refused = false;
    for (let i = 0; i < 12 && !refused; i++) {
      const r = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: `spend some money ${i}` }], max_tokens: 20 });
      refused = r.status === 429;
    }
    expect(refused).toBe(true);
    await eventually(async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM usage_events WHERE team = ? AND cost_nusd > 0").bind(org.team).first<{ n: number }>())!.n >= 2);

    // An old warning from a past period, never closed, is not part of this episode.
    const stale = new Date(Date.now() - 60 * 86_400_000).toISOString();
    await env.DB.prepare("INSERT INTO alerts (id, ts, kind, severity, title, evidence, delivered, team) VALUES (?, ?, 'budget_threshold', 'warning', 'old', '{}', 'd1', ?)")
      .bind(`alert_stale_${org.team}`, stale, org.team).run();

    await runDetection(env, Date.now(), ["budget_breach"]);
    const inc = (await incidentFor("budget_breach", `teams/${org.team}`))!;
    expect((await env.DB.prepare("SELECT incident_id FROM alerts WHERE id = ?").bind(`alert_stale_${org.team}`).first<{ incident_id: string | null }>())!.incident_id).toBeNull();
    expect(inc.timeline.started_at! > stale).toBe(true);
    expect(inc).toBeDefined();
    expect(inc.team).toBe(org.team);
    expect((inc.diagnosis.top_workloads as Array<{ workload: string }>)[0].workload).toBe(org.workload);
    expect((inc.diagnosis.top_keys as Array<{ key: string }>)[0].key).toBe(org.keyId);
    expect((inc.diagnosis.top_models as Array<{ model: string }>)[0].model).toBe("sim-chat");
    expect(inc.diagnosis).toHaveProperty("change_vs_baseline");
    const remediate = inc.steps.find((s) => s.step === "remediate")!;
    expect(remediate).toMatchObject({ outcome: "ok", detail: { workload: org.workload, previous_rpm: null, rpm: 5 } });
    expect((await workloadSpec(org.workload)).limits?.rpm).toBe(5);
    const escalate = inc.steps.find((s) => s.step === "escalate")!;
    expect(escalate.detail.delivered).toEqual(expect.arrayContaining(["email:owner@acme.test", "email:finance@acme.test"]));
    // The ledger's own threshold alerts for the team are grouped under the incident.
    expect(inc.alerts.map((a) => a.kind)).toContain("budget_threshold");
    expect(Date.parse(inc.timeline.started_at!)).toBeLessThanOrEqual(Date.parse(inc.timeline.detected_at!));

    // Finance raises the budget: the next pass resolves the incident and lifts the cap.
    await adminOk("PUT", `/teams/${org.team}`, { monthly_budget_usd: 1000, rpm: 100000, tpm: 100000000, residency: "us" });
    await runDetection(env, Date.now(), ["budget_breach"]);
    const done = await adminOk<Incident>("GET", `/incidents/${inc.id}`);
    expect(done.status).toBe("resolved");
    expect(done.steps.at(-1)).toMatchObject({ step: "resolve", outcome: "ok", detail: { restored_rpm: null } });
    expect((await workloadSpec(org.workload)).limits?.rpm).toBeUndefined();
  }, 30_000);

  it("notifies only by default, and refuses a bad policy", async () => {
    const org = await createOrg();
    const p = await adminOk<{ budget_action: string; auto_tune: boolean }>("GET", `/operations/policies/${org.team}`);
    expect(p).toMatchObject({ budget_action: "notify", auto_tune: false });
    expect((await admin("PUT", `/operations/policies/${org.team}`, { budget_action: "explode" })).status).toBe(400);
    expect((await admin("PUT", `/operations/policies/${org.team}`, { rpm_bounds: { min: 10, max: 1 } })).status).toBe(400);
    expect((await admin("PUT", "/operations/policies/no-such-team", {})).status).toBe(404);
  });
});

describe("DLP spike runbook", () => {
  it("finds a workload's findings jump over its baseline, tightens redact to block for a bounded time, and restores it", async () => {
    const org = await createOrg();
    // Seven days of quiet baseline traffic for this workload.
    const day = 86_400_000;
    for (let i = 0; i < 40; i++) {
      await env.DB.prepare("INSERT INTO usage_events (request_id, ts, team, workload, key_id, model, provider, region, tokens_in, tokens_out, cost_nusd, latency_ms, status, cache, estimated, detail) VALUES (?, ?, ?, ?, ?, 'sim-chat', 'sim-us', 'us', 5, 5, 10, 5, 200, 'off', 0, '{}')")
        .bind(`base-${org.workload}-${i}`, new Date(Date.now() - day - i * 3_600_000).toISOString(), org.team, org.workload, org.keyId).run();
    }
    const card = "4111 1111 1111 1111";
    for (let i = 0; i < 12; i++) {
      const r = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: `charge card ${card} please (${i})` }] }, { "user-agent": "batch-importer/1.0" });
      expect(r.status).toBe(200);
    }
    await eventually(async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM usage_events WHERE workload = ? AND detail LIKE '%CREDIT_CARD%'").bind(org.workload).first<{ n: number }>())!.n >= 12);

    await runDetection(env, Date.now(), ["dlp_spike"]);
    const inc = (await incidentFor("dlp_spike", `workloads/${org.workload}`))!;
    expect(inc).toBeDefined();
    expect(inc.diagnosis).toMatchObject({ workload: org.workload, metric: "findings", by_entity_type: { CREDIT_CARD: 12 }, by_key: { [org.keyId]: 12 }, by_source: { "batch-importer/1.0": 12 } });
    const remediate = inc.steps.find((s) => s.step === "remediate")!;
    expect(remediate).toMatchObject({ outcome: "ok", detail: { workload: org.workload, tightened: ["CREDIT_CARD"] } });
    expect((await workloadSpec(org.workload)).dlp?.actions?.CREDIT_CARD).toBe("block");
    expect(inc.steps.find((s) => s.step === "escalate")?.detail).toMatchObject({ delivered: expect.arrayContaining(["d1"]) });
    const audited = await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'runbook.dlp_spike.tighten' AND resource = ?").bind(`workloads/${org.workload}`).first<{ n: number }>();
    expect(audited!.n).toBe(1);
    // The tightened policy is live: the same content is now refused.
    await eventually(async () => (await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: `card ${card}` }] })).status === 403);

    // Twenty minutes on the spike has left the recent window: resolved, and the policy restored.
    await runDetection(env, Date.now() + 20 * 60_000, ["dlp_spike"]);
    const done = await adminOk<Incident>("GET", `/incidents/${inc.id}`);
    expect(done.status).toBe("resolved");
    expect((await workloadSpec(org.workload)).dlp).toBeUndefined();
    await eventually(async () => (await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: `card ${card}` }] })).status === 200);
  }, 30_000);
});

describe("runbook drills and the API surface", () => {
  it("drills budget and DLP runbooks without changing config, and documents every operations route", async () => {
    const org = await createOrg();
    await adminOk("PUT", `/operations/policies/${org.team}`, { budget_action: "throttle" });
    const before = await workloadSpec(org.workload);
    const budget = await adminOk<Incident & { drill: boolean }>("POST", "/runbooks/budget_breach/drill", { team: org.team });
    expect(budget).toMatchObject({ drill: true, status: "resolved" });
    expect(budget.steps.map((s) => s.step)).toEqual(["detect", "diagnose", "remediate", "verify", "escalate", "resolve"]);
    expect(budget.steps.find((s) => s.step === "remediate")?.outcome).toBe("dry_run");
    const dlp = await adminOk<Incident & { drill: boolean }>("POST", "/runbooks/dlp_spike/drill", { workload: org.workload });
    expect(dlp).toMatchObject({ drill: true, status: "resolved" });
    expect(await workloadSpec(org.workload)).toEqual(before);
    const doc = await adminOk<{ paths: Record<string, unknown> }>("GET", "/openapi.json");
    for (const path of ["/alerts", "/alerts/{id}/ack", "/alerts/{id}/resolve", "/incidents", "/incidents/{id}", "/incidents/metrics", "/runbooks/{kind}/drill",
      "/guardrails/recommendations", "/guardrails/recommendations/{id}/apply", "/guardrails/recommendations/{id}/dismiss", "/surveys", "/surveys/{id}/results"]) {
      expect(doc.paths).toHaveProperty([`/admin/v1${path}`]);
    }
  });
});
