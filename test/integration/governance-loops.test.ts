/**
 * The governance loops on recorded request metadata: the evidence job turns usage history into
 * proposals with numbers and a what-if attached, an applied exemption changes the gateway until
 * its expiry, the impact of an applied change is measured before vs after; the daily check raises
 * an alert when live configuration drifts from the artifacts; the quarterly review opens once and
 * closes into minutes applied as a version.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openQuarterlyReview, runEvidenceJob, runGovernanceCheck } from "../../src/governance/jobs";
import { admin, adminOk, chat, createOrg } from "./helpers";
import { demoSetFor, proposeApproveApply } from "./governance-helpers";

const DAY = 86_400_000;
const SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";

/** Synthetic history rows (types only, as the gateway records them). */
async function history(rows: Array<{ ts: number; workload: string; team: string; key: string; status: number; types?: string[]; blocked?: string[] }>): Promise<void> {
  const stmts = rows.map((r, i) => env.DB.prepare(
    `INSERT INTO usage_events (request_id, ts, team, workload, key_id, model, provider, region, tokens_in, tokens_out, cost_nusd, latency_ms, status, error_code, data_class, cache, estimated, detail)
     VALUES (?, ?, ?, ?, ?, 'sim-chat', 'sim-us', 'us', 100, 50, ?, 100, ?, ?, 'public', 'off', 0, ?)`,
  ).bind(`hist-${r.workload}-${r.ts}-${i}`, new Date(r.ts).toISOString(), r.team, r.workload, r.key, r.status === 200 ? 200_000 : 0, r.status, r.status === 403 ? "dlp_blocked" : null,
    JSON.stringify(r.types?.length ? { dlp_request: { types: r.types, blocked: r.blocked ?? [], findings: r.types.length } } : {})));
  for (let i = 0; i < stmts.length; i += 50) await env.DB.batch(stmts.slice(i, i + 50));
}

describe("governance loops", () => {
  it("evidence job → proposals with numbers and what-if → apply → gateway changes → measured impact", async () => {
    const org = await createOrg();
    const set = demoSetFor([org]);
    // An exemption nobody exercises (phone numbers allowed on this workload): too permissive.
    set.exemptions.exemptions.push({ id: "EX-PHONE", workload: org.workload, rule: "AUP-4", reason: "pilot", requested_by: "a@acme", approver: "b@acme", expires: "2099-01-01", effect: { dlp: { PHONE_NUMBER: "allow" } } });
    await proposeApproveApply(set);
    const now = Date.now();
    // 30 secret blocks in the last 40 days, each retried 2 minutes later without the secret and served.
    const rows = [];
    for (let i = 0; i < 30; i++) {
      const t = now - (40 - i) * DAY + 3_600_000;
      rows.push({ ts: t, workload: org.workload, team: org.team, key: org.keyId, status: 403, types: ["SECRET"], blocked: ["SECRET"] });
      rows.push({ ts: t + 120_000, workload: org.workload, team: org.team, key: org.keyId, status: 200 });
    }
    await history(rows);

    const run = await runEvidenceJob(env, now);
    expect(run.findings.map((f) => [f.kind, f.rule])).toEqual([["too_restrictive", "AUP-2"], ["too_permissive", "AUP-4"]]);
    expect(run.findings[0].numbers).toMatchObject({ blocks: 30, retried_without_value: 30, retry_rate: 1, requests: 60 });
    const [restrictive, permissive] = await Promise.all(run.proposals.map((id) => adminOk<{ source: string; author: string; evidence: { what_if: Array<{ delta: { blocked: number } }> }; check: { ok: boolean } }>("GET", `/governance/proposals/${id}`)));
    expect(restrictive).toMatchObject({ source: "evidence-job", author: "system:evidence-job", check: { ok: true } });
    expect(restrictive.evidence.what_if[0].delta.blocked).toBe(-30);
    expect(permissive.evidence.what_if[0].delta.blocked).toBe(0);
    // A second run files nothing new while they are open on the live version.
    expect((await runEvidenceJob(env, now)).proposals).toEqual([]);

    // Apply the exemption: the gateway now masks the secret on this workload instead of refusing.
    expect((await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: `key ${SECRET}` }] })).status).toBe(403);
    expect((await admin("POST", `/governance/proposals/${run.proposals[0]}/approve`, undefined, { sub: "bob", role: "auditor" })).status).toBe(200);
    const applied = await adminOk<{ version: number; applied_at: string }>("POST", `/governance/proposals/${run.proposals[0]}/apply`);
    const served = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: `key ${SECRET}` }] });
    expect(served.status, await served.clone().text()).toBe(200);
    expect(served.headers.get("x-switchyard-data-class")).toBe("restricted"); // SECRET implies restricted in the demo scheme
    await served.arrayBuffer();

    // The other proposal is now stale; the next run withdraws and refiles it on the live version.
    const rerun = await runEvidenceJob(env, now);
    expect(rerun.findings.map((f) => f.kind)).toEqual(["too_permissive"]);
    expect((await adminOk<{ status: string }>("GET", `/governance/proposals/${run.proposals[1]}`)).status).toBe("rejected");
    expect((await admin("POST", `/governance/proposals/${rerun.proposals[0]}/approve`, undefined, { sub: "bob", role: "auditor" })).status).toBe(200);
    expect((await admin("POST", `/governance/proposals/${rerun.proposals[0]}/apply`)).status).toBe(200);

    // Eight days after apply, with retries gone and no blocks: the impact is measured before vs after.
    const appliedAt = Date.parse(applied.applied_at);
    await history(Array.from({ length: 16 }, (_, i) => ({ ts: appliedAt + (i / 2 + 0.1) * DAY, workload: org.workload, team: org.team, key: org.keyId, status: 200, types: ["SECRET"] })));
    const later = await runEvidenceJob(env, appliedAt + 8 * DAY);
    expect(later.impacts_measured).toBe(2); // both applied evidence-based changes
    const measured = await adminOk<{ impact: { before: { blocked_per_day: number; block_rate: number }; after: { blocked_per_day: number; days: number } } }>("GET", `/governance/proposals/${run.proposals[0]}`);
    // The 30 days before apply held 20 of the blocks (the other 10 are older).
    expect(measured.impact.before.blocked_per_day).toBe(0.667);
    expect(measured.impact.before.block_rate).toBe(0.5);
    expect(measured.impact.after).toMatchObject({ days: 8, blocked_per_day: 0 });
    const findings = await adminOk<{ data: Array<{ kind: string; proposal_id: string }> }>("GET", "/governance/findings");
    expect(findings.data.map((f) => f.proposal_id)).toContain(run.proposals[0]);
  });

  it("daily check alerts when live configuration drifts; the quarterly review opens once and closes into minutes", async () => {
    const org = await createOrg();
    await proposeApproveApply(demoSetFor([org]));
    expect(await runGovernanceCheck(env, Date.now())).toMatchObject({ ok: true });
    // Drift: the live workload now allows a catalog model the artifacts never approved.
    await adminOk("PUT", "/models/sim-unapproved", { targets: [{ provider: "sim-us", model: "x" }], data_classes: ["public"], price: { input_per_mtok: 1, output_per_mtok: 1 } });
    await adminOk("PUT", `/workloads/${org.workload}`, { team: org.team, default_data_class: "public", allowed_models: ["sim-chat", "sim-unapproved"], lifecycle: "production" });
    const result = await runGovernanceCheck(env, Date.now());
    expect(result.ok).toBe(false);
    const alert = await env.DB.prepare("SELECT severity, title, evidence FROM alerts WHERE kind = 'governance_check' ORDER BY ts DESC").first<{ severity: string; title: string; evidence: string }>();
    expect(alert?.title).toMatch(/errors against the live configuration/);
    expect(alert?.evidence).toContain("sim-unapproved");

    const opened = await openQuarterlyReview(env, Date.now());
    expect(opened).toBeDefined();
    expect(await openQuarterlyReview(env, Date.now())).toBeUndefined();
    const reviews = await adminOk<{ data: Array<{ id: string; items: { consistency: { ok: boolean }; regulatory_map: { clauses: unknown[] }; expiring_exemptions: unknown[] } }> }>("GET", "/governance/reviews");
    expect(reviews.data[0].items.consistency.ok).toBe(false);
    expect(reviews.data[0].items.regulatory_map.clauses.length).toBeGreaterThan(5);
    // Fix the drift, then close the review: its minutes become a proposal and, applied, a version.
    await adminOk("PUT", `/workloads/${org.workload}`, { team: org.team, default_data_class: "public", allowed_models: ["sim-chat"], lifecycle: "production" });
    const closed = await adminOk<{ proposal: { id: string; check: { ok: boolean } } }>("POST", `/governance/reviews/${opened!.id}/close`, { summary: "Map reviewed; no changes.", attendees: ["alice", "bob"] });
    expect(closed.proposal.check.ok).toBe(true);
    expect((await admin("POST", `/governance/proposals/${closed.proposal.id}/approve`, undefined, { sub: "bob", role: "auditor" })).status).toBe(200);
    const v = await adminOk<{ version: number }>("POST", `/governance/proposals/${closed.proposal.id}/apply`);
    const version = await adminOk<{ artifacts: { minutes: { meetings: Array<{ decisions: Array<{ summary: string }> }> }; regulatory_map: { reviewed: string } } }>("GET", `/governance/versions/${v.version}`);
    expect(version.artifacts.minutes.meetings.at(-1)!.decisions[0].summary).toMatch(/^Quarterly review \d{4}-Q\d: Map reviewed/);
    expect(version.artifacts.regulatory_map.reviewed).toBe(new Date().toISOString().slice(0, 10));
  });
});
