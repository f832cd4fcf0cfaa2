/**
 * The live Stage 3 self-assessment and knowledge base against real local D1: records seeded
 * through the admin API or straight into the tables other capabilities own flip criteria; a
 * score decrease opens one investigation and an alert; decisions land in the audit log; role
 * checks; search finds incidents, lessons and governance decisions.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cronJobs, cronSchedule } from "../../workers/cron";
import { ensureTeam, mockServer, registerAgent } from "./agents-helpers";
import { demoSetFor } from "./governance-helpers";
import { admin, adminOk } from "./helpers";

interface Criterion { id: string; status: string; reason?: string; evidence: Array<{ label: string; href: string; at?: string }>; missing: string[] }
interface Assessment { assessed_at: string; score: { met: number; not_met: number; not_applicable: number; total: number; percent: number }; layers: Array<{ id: string; name: string; score: { percent: number }; criteria: Criterion[] }> }

const owner = { sub: "owner@t1", role: "team-owner" as const, team: "t1" };
const auditor = { sub: "audrey", role: "auditor" as const };
const finance = { sub: "fin", role: "finance" as const };

async function criterion(id: string): Promise<Criterion> {
  const a = await adminOk<Assessment>("GET", "/maturity");
  const c = a.layers.flatMap((l) => l.criteria).find((x) => x.id === id);
  if (!c) throw new Error(`no criterion ${id}`);
  return c;
}

async function seedDrills(): Promise<void> {
  const now = new Date();
  const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15, 3)).toISOString();
  const recent = new Date(now.getTime() - 3_600_000).toISOString();
  for (const [id, ts] of [["drill-prev", lastMonth], ["drill-now", recent]]) {
    await env.DB.prepare(`INSERT INTO failover_drills (id, ts, model, provider, fallback_provider, fault, rerouted, fallback_ok, recovery_ms, recovery_bound_ms, verdict, detail, trigger)
      VALUES (?, ?, 'sim-chat', 'sim-us', 'sim-eu', 'outage', 1, 1, 900, 30000, 'pass', NULL, 'cron')`).bind(id, ts).run();
  }
}

describe("maturity assessment", () => {
  it("answers the contract's shape, with evidence hrefs into the admin API", async () => {
    const a = await adminOk<Assessment>("GET", "/maturity");
    expect(a.layers.map((l) => l.id)).toEqual(["layer-1", "layer-2", "layer-3", "layer-4", "layer-5", "sustaining"]);
    expect(a.score.total).toBe(28);
    expect(a.score.met + a.score.not_met + a.score.not_applicable).toBe(28);
    for (const c of a.layers.flatMap((l) => l.criteria)) {
      if (c.status === "not_met") expect(c.missing.length, c.id).toBeGreaterThan(0);
      for (const e of c.evidence) expect(e.href).toMatch(/^\/admin\/v1\//);
    }
    const one = await adminOk<Assessment>("GET", "/maturity?layer=layer-3");
    expect(one.layers.map((l) => l.id)).toEqual(["layer-3"]);
    expect(one.score.total).toBe(5);
  });

  it("refuses bad input with a problem document", async () => {
    for (const path of ["/maturity?layer=layer-9", "/maturity/history?limit=0", "/knowledge?kind=memo", "/knowledge?limit=500"]) {
      const res = await admin("GET", path);
      expect(res.status, path).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/problem\+json/);
    }
    expect((await admin("POST", "/maturity/investigations/x/close", { note: "" })).status).toBe(400);
    expect((await admin("POST", "/maturity/recommendations/rec_nope/accept", { reason: "yes" })).status).toBe(404);
    expect((await admin("POST", "/knowledge/lessons", { title: "t", body: "b", tags: ["Not A Tag!"] })).status).toBe(400);
  });

  it("lets admin, auditor and finance read, and refuses team owners", async () => {
    for (const path of ["/maturity", "/maturity/history", "/maturity/investigations", "/maturity/reviews", "/maturity/recommendations", "/knowledge?q=x"]) {
      expect((await admin("GET", path, undefined, owner)).status, path).toBe(403);
      expect((await admin("GET", path, undefined, auditor)).status, path).toBe(200);
      expect((await admin("GET", path, undefined, finance)).status, path).toBe(200);
    }
    expect((await admin("POST", "/maturity/snapshots", undefined, auditor)).status).toBe(403);
    expect((await admin("POST", "/maturity/recommendations/rec_x/accept", { reason: "r" }, auditor)).status).toBe(403);
    expect((await admin("POST", "/knowledge/lessons", { title: "t", body: "b" }, owner)).status).toBe(403);
    expect((await admin("POST", "/knowledge/lessons", { title: "t", body: "b" }, finance)).status).toBe(403);
  });

  it("does not count the failover drills' synthetic tenant as an organisation workload or team", async () => {
    await adminOk("PUT", "/teams/switchyard-drills", { monthly_budget_usd: 1, rpm: 10, tpm: 10000, residency: "apac" });
    await adminOk("PUT", "/workloads/switchyard-drills", { team: "switchyard-drills", default_data_class: "public", allowed_models: [], lifecycle: "production" });
    expect((await criterion("l4.golden-datasets")).missing).toEqual(["At least one active (staging or production) workload to judge."]);
    expect((await criterion("l2.regional-deployment")).missing).toEqual(["At least one team with a residency zone."]);
  });

  it("flips criteria when the records appear: drills, a clean restricted audit, a runbook's steps", async () => {
    expect((await criterion("l2.failover-drills-monthly")).status).toBe("not_met");
    expect((await criterion("l2.tiered-logging-audited")).missing).toEqual(["A restricted-content audit report (none has run)."]);
    expect((await criterion("l3.runbook-triggered")).status).toBe("not_met");

    await seedDrills();
    const drills = await criterion("l2.failover-drills-monthly");
    expect(drills.status).toBe("met");
    expect(drills.evidence.map((e) => e.href)).toContain("/admin/v1/failover-drills");

    await adminOk("POST", "/audits/restricted");
    expect((await criterion("l2.tiered-logging-audited")).status).toBe("met");

    // A scan that finds nothing still leaves its record (audit log), so "discovery has been run" is provable.
    expect((await criterion("l5.shadow-discovery")).missing[0]).toMatch(/^A recorded shadow-agent scan/);
    await adminOk("POST", "/discoveries/run");
    const scan = await criterion("l5.shadow-discovery");
    expect(scan.status).toBe("met");
    expect(scan.evidence[0].label).toBe("Latest recorded discovery scan");

    const ts = new Date().toISOString();
    await env.DB.prepare(`INSERT INTO incidents (id, kind, fingerprint, title, severity, status, drill, team, subject, started_at, detected_at, resolved_at, diagnosis, updated_at)
      VALUES ('inc-zebra', 'provider_outage', 'provider:sim-us', 'Zebra provider outage in us', 'critical', 'resolved', 0, NULL, 'sim-us', ?, ?, ?, '{"cause":"upstream 503 storm"}', ?)`).bind(ts, ts, ts, ts).run();
    await env.DB.prepare("INSERT INTO incident_steps (incident_id, ts, step, outcome, inputs, detail) VALUES ('inc-zebra', ?, 'remediate', 'ok', NULL, ?)")
      .bind(ts, JSON.stringify({ action: "opened circuit breaker and rerouted to sim-eu" })).run();
    const runbook = await criterion("l3.runbook-triggered");
    expect(runbook.status).toBe("met");
    expect(runbook.evidence[0].href).toBe("/admin/v1/incidents/inc-zebra");
  });

  it("keeps score history, and a decrease opens one investigation with an alert", async () => {
    await adminOk("POST", "/maturity/snapshots");
    const high = await adminOk<{ id: string; percent: number; by_layer: Record<string, number> }>("POST", "/maturity/snapshots");
    expect(high.by_layer["layer-2"]).toBeGreaterThan(0);

    await env.DB.prepare("DELETE FROM failover_drills").run();
    const low = await adminOk<{ id: string; percent: number; investigation_id?: string }>("POST", "/maturity/snapshots");
    expect(low.percent).toBeLessThan(high.percent);
    expect(low.investigation_id).toBe(`minv_${low.id}`);

    const history = await adminOk<{ snapshots: Array<{ id: string; trigger: string }> }>("GET", "/maturity/history?limit=2");
    expect(history.snapshots.map((s) => s.id)).toEqual([low.id, high.id]);
    expect(history.snapshots[0].trigger).toBe("manual");

    const { investigations } = await adminOk<{ investigations: Array<{ id: string; status: string; regressed: string[]; drop: { from: number; to: number }; snapshot_id: string; previous_snapshot_id: string }> }>("GET", "/maturity/investigations");
    expect(investigations).toHaveLength(1);
    expect(investigations[0]).toMatchObject({ status: "open", snapshot_id: low.id, previous_snapshot_id: high.id, drop: { from: high.percent, to: low.percent } });
    expect(investigations[0].regressed).toContain("l2.failover-drills-monthly");
    const alerts = await adminOk<{ data: Array<{ kind: string; title: string }> }>("GET", "/alerts?kind=maturity_regression");
    expect(alerts.data).toHaveLength(1);

    // The same score again is no decrease: nothing new opens.
    await adminOk("POST", "/maturity/snapshots");
    expect((await adminOk<{ investigations: unknown[] }>("GET", "/maturity/investigations")).investigations).toHaveLength(1);

    const closed = await adminOk<{ status: string; closed_by: string; note: string }>("POST", `/maturity/investigations/${investigations[0].id}/close`, { note: "Drill records were purged by a test; schedule intact." });
    expect(closed).toMatchObject({ status: "closed", closed_by: "test-admin" });
    expect((await admin("POST", `/maturity/investigations/${investigations[0].id}/close`, { note: "again" })).status).toBe(409);
  });

  it("generates one recommendation per not-met criterion and audits each decision", async () => {
    const first = await adminOk<{ recommendations: Array<{ id: string; criterion_id: string; status: string; action: string }> }>("GET", "/maturity/recommendations");
    const a = await adminOk<Assessment>("GET", "/maturity");
    const notMet = a.layers.flatMap((l) => l.criteria).filter((c) => c.status === "not_met").map((c) => c.id).sort();
    expect(first.recommendations.map((r) => r.criterion_id).sort()).toEqual(notMet);
    const again = await adminOk<{ recommendations: unknown[] }>("GET", "/maturity/recommendations");
    expect(again.recommendations).toHaveLength(first.recommendations.length);

    const rec = first.recommendations.find((r) => r.criterion_id === "l2.failover-drills-monthly")!;
    expect(rec.id).toBe("rec_l2.failover-drills-monthly");
    const decided = await adminOk<{ status: string; decided_by: string; reason: string; decided_at: string }>("POST", `/maturity/recommendations/${rec.id}/accept`, { reason: "Platform team re-enables the drill cron this week." });
    expect(decided).toMatchObject({ status: "accepted", decided_by: "test-admin", reason: "Platform team re-enables the drill cron this week." });
    expect((await admin("POST", `/maturity/recommendations/${rec.id}/dismiss`, { reason: "changed my mind" })).status).toBe(409);
    const row = await env.DB.prepare("SELECT actor, resource, detail FROM audit_log WHERE action = 'maturity.recommendation.accept'").first<{ actor: string; resource: string; detail: string }>();
    expect(row).toMatchObject({ actor: "test-admin", resource: `maturity/recommendations/${rec.id}` });
    expect(JSON.parse(row!.detail)).toEqual({ criterion: "l2.failover-drills-monthly", reason: "Platform team re-enables the drill cron this week." });

    // Met again: the accepted one stays as history; an open one would be withdrawn.
    await seedDrills();
    const after = await adminOk<{ recommendations: Array<{ id: string; status: string }> }>("GET", "/maturity/recommendations");
    expect(after.recommendations.find((r) => r.id === rec.id)?.status).toBe("accepted");
    // The human decision (plus the audited investigation) also meets the feedback-loop practice: its open one is withdrawn.
    const open = after.recommendations.filter((r) => r.status === "open").map((r) => r.id);
    expect(first.recommendations.map((r) => r.id).filter((id) => !open.includes(id)).sort()).toEqual([rec.id, "rec_s.feedback-loops"]);
    expect((await criterion("s.feedback-loops")).status).toBe("met");
  });

  it("generates the annual review once per year; items are completed by admin or auditor and audited", async () => {
    const created = await admin("POST", "/maturity/reviews", { year: 2026 });
    expect(created.status).toBe(201);
    const review = await created.json<{ id: string; year: number; items: Array<{ id: string; done: boolean; criterion_id?: string }> }>();
    expect(review.items.length).toBeGreaterThan(6);
    expect(review.items.some((i) => i.criterion_id === "l4.golden-datasets")).toBe(true);
    const again = await admin("POST", "/maturity/reviews", { year: 2026 });
    expect(again.status).toBe(200);
    expect((await again.json<{ id: string }>()).id).toBe(review.id);

    const done = await (await admin("POST", `/maturity/reviews/${review.id}/items/fw.models/complete`, { note: "Catalog reviewed" }, auditor)).json<{ items: Array<{ id: string; done: boolean; done_by?: string }> }>();
    expect(done.items.find((i) => i.id === "fw.models")).toMatchObject({ done: true, done_by: "audrey" });
    expect((await admin("POST", `/maturity/reviews/${review.id}/items/fw.models/complete`, undefined, auditor)).status).toBe(409);
    // No body at all is fine; a malformed one is a 400, never a 500.
    expect((await admin("POST", `/maturity/reviews/${review.id}/items/fw.governance/complete`)).status).toBe(200);
    expect((await admin("POST", `/maturity/reviews/${review.id}/items/fw.gateway/complete`, { note: 7 })).status).toBe(400);
    const thisYear = await admin("POST", "/maturity/reviews");
    expect(thisYear.status).toBe(new Date().getUTCFullYear() === 2026 ? 200 : 201);
    expect((await admin("POST", "/maturity/reviews", { year: "soon" })).status).toBe(400);
    expect((await admin("POST", `/maturity/reviews/${review.id}/items/nope/complete`, {})).status).toBe(404);
    expect((await admin("POST", `/maturity/reviews/${review.id}/items/fw.agents/complete`, {}, finance)).status).toBe(403);
    const s = await criterion("s.annual-review");
    expect(s.missing[0]).toMatch(/^Completion of annual review 2026: \d+ of \d+ items open\.$/);
  });
});

describe("agent security criteria from the registry and recorded calls", () => {
  it("judges grants by their spec, and a delegation chain recorded in agent_calls", async () => {
    await ensureTeam("agents-team");
    await mockServer("crm");
    await registerAgent("planner", { grants: [{ server: "crm", tool: "*" }] });
    const wide = await criterion("l5.parameter-authorization");
    expect(wide.missing).toEqual(["planner: tool-level authorization (it holds 1 unconditional \"*\" grant).", "At least one grant restricted by a parameter condition (`when`)."]);
    await registerAgent("planner", { grants: [{ server: "crm", tool: "lookup", when: "args.table == 'accounts'" }] });
    const narrow = await criterion("l5.parameter-authorization");
    expect(narrow.status).toBe("met");
    expect(narrow.evidence[0].href).toBe("/admin/v1/agents/planner");

    // What a delegated call leaves behind: the exchange in the trace's Delegation object, the tool
    // call (with its chain) in agent_calls. A call with a chain but no delegation record does not count.
    const ts = new Date().toISOString();
    const call = "INSERT INTO agent_calls (ts, agent, server, tool, decision, rule, arg_shape, trace, chain) VALUES (?, 'worker', 'crm', 'lookup', 'allow', NULL, NULL, ?, ?)";
    const solo = `trc_${crypto.randomUUID()}`;
    const chained = `trc_${crypto.randomUUID()}`;
    await env.DB.prepare(call).bind(ts, solo, JSON.stringify(["worker"])).run();
    await env.DB.prepare(call).bind(ts, chained, JSON.stringify(["planner", "worker"])).run();
    expect((await criterion("l5.delegation-traced")).status).toBe("not_met");
    await env.DELEGATION.get(env.DELEGATION.idFromName(`trace:${chained}`))
      .record({ ts, kind: "exchanged", chain: ["planner", "worker"], depth: 1, jti: crypto.randomUUID(), detail: { subject_jti: "j1" } });
    const traced = await criterion("l5.delegation-traced");
    expect(traced.status).toBe("met");
    expect(traced.evidence[0].href).toBe(`/admin/v1/delegations/${chained}`);
  });
});

describe("knowledge base", () => {
  it("finds a seeded incident, a lesson and a governance decision", async () => {
    const lesson = await (await admin("POST", "/knowledge/lessons", { title: "Zebra outage: breaker cooldown too long", body: "Shorten the breaker cooldown; the fallback in eu took the load.", tags: ["outage", "nps"] }, auditor)).json<{ id: string; href: string }>();
    expect(lesson.href).toBe(`/admin/v1/knowledge/lessons/${lesson.id}`);
    // A governance decision made through the real workflow: propose, approve, apply.
    const proposed = await admin("POST", "/governance/proposals", { artifacts: demoSetFor([]), rationale: "Adopt the quokka classification scheme after 42 blocked retries a week" });
    expect(proposed.status).toBe(201);
    const gp = (await proposed.json<{ id: string }>()).id;
    expect((await admin("POST", `/governance/proposals/${gp}/approve`, undefined, auditor)).status).toBe(200);
    expect((await admin("POST", `/governance/proposals/${gp}/apply`)).status).toBe(200);

    const hits = await adminOk<{ results: Array<{ kind: string; id: string; href: string; snippet: string; title: string; at: string }> }>("GET", "/knowledge?q=zebra%20outage");
    expect(hits.results.map((r) => `${r.kind}:${r.id}`).sort()).toEqual([`incident:inc-zebra`, `lesson:${lesson.id}`].sort());
    const inc = hits.results.find((r) => r.kind === "incident")!;
    expect(inc.href).toBe("/admin/v1/incidents/inc-zebra");

    const steps = await adminOk<{ results: Array<{ id: string; snippet: string }> }>("GET", "/knowledge?q=circuit%20breaker&kind=incident");
    expect(steps.results.map((r) => r.id)).toEqual(["inc-zebra"]);
    expect(steps.results[0].snippet).toMatch(/circuit breaker/);

    const gov = await adminOk<{ results: Array<{ kind: string; id: string; href: string }> }>("GET", "/knowledge?q=quokka");
    expect(gov.results).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: "governance", id: gp, href: `/admin/v1/governance/proposals/${gp}` }),
      expect.objectContaining({ kind: "governance", id: "v1", href: "/admin/v1/governance/versions/1" }),
    ]));
    expect((await adminOk<{ results: unknown[] }>("GET", "/knowledge?q=quokka&kind=lesson")).results).toEqual([]);
    // LIKE wildcards in a query are literal: "_" does not stand for the space.
    expect((await adminOk<{ results: unknown[] }>("GET", "/knowledge?q=zebra_provider")).results).toEqual([]);

    expect((await criterion("l3.nps-reviewed")).missing).toEqual([expect.stringMatching(/survey round with responses/)]);
    const k = await criterion("s.knowledge-sharing");
    expect(k.missing).toEqual(["At least an evaluation result in the knowledge base."]);
  });
});

describe("evidence links", () => {
  it("every evidence href of the live assessment opens a record in the admin API", async () => {
    const a = await adminOk<Assessment>("GET", "/maturity");
    const hrefs = [...new Set(a.layers.flatMap((l) => l.criteria.flatMap((c) => c.evidence.map((e) => e.href))))];
    expect(hrefs.length).toBeGreaterThan(8);
    for (const href of hrefs) {
      const res = await admin("GET", href.replace(/^\/admin\/v1/, ""));
      expect(res.status, href).toBe(200);
    }
  });
});

describe("maturity cron", () => {
  it("runs both jobs on the quarterly expression; the checklist only in January; one snapshot per quarter", async () => {
    expect(cronSchedule["0 7 1 1,4,7,10 *"]).toEqual(expect.arrayContaining(["maturity-snapshot", "maturity-annual-review"]));
    await cronJobs["maturity-annual-review"](env, Date.parse("2031-04-01T07:00:00Z"));
    const years = async () => (await adminOk<{ reviews: Array<{ year: number }> }>("GET", "/maturity/reviews")).reviews.map((r) => r.year);
    expect(await years()).not.toContain(2031);
    await cronJobs["maturity-annual-review"](env, Date.parse("2031-01-01T07:00:00Z"));
    await cronJobs["maturity-annual-review"](env, Date.parse("2031-01-01T07:00:00Z"));
    expect((await years()).filter((y) => y === 2031)).toHaveLength(1);
    expect((await years())[0]).toBe(2031);

    // Every regional edge fires the cron: the quarter's snapshot is recorded once.
    await cronJobs["maturity-snapshot"](env, Date.parse("2031-01-01T07:00:00Z"));
    await cronJobs["maturity-snapshot"](env, Date.parse("2031-01-01T07:00:05Z"));
    const { snapshots } = await adminOk<{ snapshots: Array<{ id: string; trigger: string }> }>("GET", "/maturity/history");
    expect(snapshots.filter((s) => s.trigger === "cron:quarterly").map((s) => s.id)).toEqual(["mat_2031-Q1"]);
  });
});
