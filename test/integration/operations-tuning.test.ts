/**
 * Guardrail auto-tuning on seeded traffic whose expected findings are known: a team whose rpm
 * limit refuses a sixth of its requests, a team that never comes near its limit, a workload
 * whose email block users work around by retrying without the address, and a configured DLP
 * rule that never fires. Checks the recommendations, auto-apply (opt-in, bounds, never for
 * security), apply/dismiss by a person and the impact measured 14 days later.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runGuardrailTuning } from "../../src/operations/tuning/job";
import { cronJobs, cronSchedule } from "../../workers/cron";
import { admin, adminOk, createOrg } from "./helpers";

interface Rec { id: string; guardrail: string; finding: string; team: string; workload: string | null; subject: string; security: boolean; current: unknown; proposed: unknown; status: string; evidence: Record<string, unknown>; before_metrics: unknown; impact: { after: Record<string, unknown> } | null; impact_due_at: string | null; decided_by: string | null }

type Row = [string, string, string, string, string, number, string | null, string];

/** Inserts usage events in one statement: [id, ts, team, workload, key, status, error_code, detail]. */
async function seed(rows: Row[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await env.DB.prepare(
      `INSERT INTO usage_events (request_id, ts, team, workload, key_id, model, provider, region, tokens_in, tokens_out, cost_nusd, latency_ms, status, error_code, cache, estimated, detail)
       SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]'), 'sim-chat', 'sim-us', 'us', 10, 10, 30, 5,
         json_extract(value, '$[5]'), json_extract(value, '$[6]'), 'off', 0, json_extract(value, '$[7]') FROM json_each(?)`,
    ).bind(JSON.stringify(rows.slice(i, i + 500))).run();
  }
}

const minute = (m: number) => new Date(Date.now() - 2 * 86_400_000 + m * 60_000).toISOString();
const recsFor = async (team: string) => (await adminOk<{ data: Rec[] }>("GET", `/guardrails/recommendations?team=${team}`)).data;
const teamSpec = async (id: string) => JSON.parse((await env.DB.prepare("SELECT spec FROM teams WHERE id = ?").bind(id).first<{ spec: string }>())!.spec) as { rpm: number };

describe("guardrail auto-tuning", () => {
  it("is scheduled weekly", () => {
    expect(cronSchedule["0 4 * * 1"]).toContain("guardrail-tuning");
    expect(typeof cronJobs["guardrail-tuning"]).toBe("function");
  });

  it("finds the known findings in seeded traffic, auto-applies only opted-in limit changes, and measures impact", async () => {
    const busy = await createOrg({ rpm: 10 });
    const idle = await createOrg({ rpm: 1000 });
    const dlp = await createOrg();
    await adminOk("PUT", `/workloads/${dlp.workload}`, {
      team: dlp.team, default_data_class: "public", allowed_models: ["sim-chat"], lifecycle: "production",
      dlp: { actions: { EMAIL_ADDRESS: "block", IBAN_CODE: "block" } },
    });
    await adminOk("PUT", `/operations/policies/${busy.team}`, { auto_tune: true, rpm_bounds: { min: 5, max: 20 } });
    // The DLP team opts in too: its security recommendations must still wait for a person.
    await adminOk("PUT", `/operations/policies/${dlp.team}`, { auto_tune: true, rpm_bounds: { min: 1, max: 100000 } });

    const rows: Row[] = [];
    // busy: 12 requests a minute for 100 minutes against rpm 10: 2 refused each minute.
    for (let m = 0; m < 100; m++) for (let i = 0; i < 12; i++) {
      rows.push([`b-${busy.team}-${m}-${i}`, minute(m), busy.team, busy.workload, busy.keyId, i < 10 ? 200 : 429, i < 10 ? null : "rate_limit_exceeded", "{}"]);
    }
    // idle: one request a minute for 150 minutes against rpm 1000.
    for (let m = 0; m < 150; m++) rows.push([`i-${idle.team}-${m}`, minute(m), idle.team, idle.workload, idle.keyId, 200, null, "{}"]);
    // dlp: 200 requests; 30 blocked for an email, 25 of them followed a minute later by the same key succeeding without it.
    for (let m = 0; m < 200; m++) {
      const blocked = m % 6 === 0 && m < 180;
      const detail = blocked ? JSON.stringify({ dlp_request: { types: ["EMAIL_ADDRESS"], blocked: ["EMAIL_ADDRESS"], findings: 1 } }) : "{}";
      rows.push([`d-${dlp.team}-${m}`, minute(m * 2), dlp.team, dlp.workload, dlp.keyId, blocked ? 403 : 200, blocked ? "dlp_blocked" : null, detail]);
    }
    // Five of the blocks are followed (for the next 10 minutes) only by another key: not a work-around by the same user.
    for (const m of [150, 156, 162, 168, 174]) {
      for (let k = 1; k <= 5; k++) rows[rows.findIndex((r) => r[0] === `d-${dlp.team}-${m + k}`)][4] = "key_other";
    }
    await seed(rows);

    const summary = await runGuardrailTuning(env, Date.now());
    expect(summary.created.length).toBeGreaterThanOrEqual(4);

    const busyRecs = await recsFor(busy.team);
    const raise = busyRecs.find((r) => r.guardrail === "rpm_limit")!;
    expect(raise).toMatchObject({ finding: "fires_excessively", current: 10, proposed: 15, security: false, status: "applied", decided_by: "system:tuning:auto" });
    expect(raise.evidence).toMatchObject({ requests: 1200, refused: 200, refused_share: 0.1667, p95_per_minute: 12, headroom_used_p95: 1.2 });
    expect(raise.before_metrics).toEqual(raise.evidence);
    expect((await teamSpec(busy.team)).rpm).toBe(15);

    const idleRecs = await recsFor(idle.team);
    const lower = idleRecs.find((r) => r.guardrail === "rpm_limit")!;
    // Not opted in: left for a person.
    expect(lower).toMatchObject({ finding: "never_fires", current: 1000, proposed: 4, status: "open" });
    expect((await teamSpec(idle.team)).rpm).toBe(1000);

    const dlpRecs = await recsFor(dlp.team);
    const email = dlpRecs.find((r) => r.subject === `workloads/${dlp.workload}/dlp/EMAIL_ADDRESS`)!;
    expect(email).toMatchObject({ guardrail: "dlp_rule", finding: "fires_excessively", current: "block", proposed: "redact", security: true, status: "open" });
    expect(email.evidence).toMatchObject({ requests: 200, fires: 30, blocks: 30, block_rate: 0.15, retried_without_value: 25 });
    const iban = dlpRecs.find((r) => r.subject === `workloads/${dlp.workload}/dlp/IBAN_CODE`)!;
    expect(iban).toMatchObject({ finding: "never_fires", proposed: null, security: true, status: "open" });

    // A second run does not duplicate open recommendations.
    const again = await runGuardrailTuning(env, Date.now());
    expect(again.created.filter((id) => [lower.id, email.id, iban.id].includes(id))).toEqual([]);
    expect((await recsFor(idle.team)).filter((r) => r.guardrail === "rpm_limit" && r.status === "open")).toHaveLength(1);

    // People decide: a team owner may not apply a security change; an admin may.
    const owner = { sub: "owner", role: "team-owner" as const, team: dlp.team };
    expect((await admin("POST", `/guardrails/recommendations/${email.id}/apply`, {}, owner)).status).toBe(403);
    const applied = await adminOk<Rec>("POST", `/guardrails/recommendations/${email.id}/apply`, { note: "users paste emails by habit" });
    expect(applied).toMatchObject({ status: "applied", decided_by: "test-admin" });
    const w = JSON.parse((await env.DB.prepare("SELECT spec FROM workloads WHERE id = ?").bind(dlp.workload).first<{ spec: string }>())!.spec) as { dlp: { actions: Record<string, string> } };
    expect(w.dlp.actions.EMAIL_ADDRESS).toBe("redact");
    expect((await admin("POST", `/guardrails/recommendations/${email.id}/apply`, {})).status).toBe(409);
    expect((await admin("POST", `/guardrails/recommendations/${iban.id}/apply`, {})).status).toBe(422);
    const dismissed = await adminOk<Rec>("POST", `/guardrails/recommendations/${iban.id}/dismiss`, { note: "IBANs are rare here; keep the rule" });
    expect(dismissed.status).toBe("dismissed");
    expect((await admin("POST", "/guardrails/recommendations/rec_nope/dismiss", {})).status).toBe(404);
    expect((await admin("GET", "/guardrails/recommendations?status=maybe")).status).toBe(400);

    // Fourteen days on, the impact of applied changes is measured against their before-metrics.
    const later = await runGuardrailTuning(env, Date.now() + 15 * 86_400_000);
    expect(later.impacts_measured).toEqual(expect.arrayContaining([raise.id, email.id]));
    const measured = (await recsFor(busy.team)).find((r) => r.id === raise.id)!;
    expect(measured.impact?.after).toMatchObject({ requests: 0, refused: 0 });
    const audits = await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'guardrail_recommendation.apply'").first<{ n: number }>();
    expect(audits!.n).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
