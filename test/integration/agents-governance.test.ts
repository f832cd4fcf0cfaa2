import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { admin, adminOk, chat, createOrg, eventually } from "./helpers";
import { ensureTeam, mockServer, registerAgent, uid } from "./agents-helpers";
import { cronJobs, cronSchedule } from "../../workers/cron";

const DAY = 86_400_000;

beforeAll(async () => {
  await ensureTeam("agents-team");
});

describe("shadow-agent discovery", () => {
  it("discovers unregistered agent traffic, is not fooled by a claimed agent header, and terminates by revoking the key", async () => {
    const rogue = await createOrg();
    const legit = await createOrg();
    const known = await registerAgent(uid("known"), {});
    const rogueId = uid("rogue-bot");
    for (let i = 0; i < 3; i++) {
      expect((await chat(rogue.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "hi" }] }, { "x-switchyard-agent": rogueId, "user-agent": "python-requests/2.31" })).status).toBe(200);
      expect((await chat(legit.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "hi" }] }, { "x-switchyard-agent": known.id, "user-agent": "python-requests/2.31" })).status).toBe(200);
    }
    await eventually(() => env.DB.prepare("SELECT count(*) AS n FROM usage_events WHERE key_id IN (?, ?)").bind(rogue.keyId, legit.keyId).first<{ n: number }>().then((r) => (r?.n ?? 0) >= 6));
    const run = await adminOk<{ found: number }>("POST", "/discoveries/run");
    expect(run.found).toBeGreaterThanOrEqual(1);
    const open = await adminOk<{ data: Array<{ id: string; fingerprint: string; evidence: { signals: string[] }; subject: { agents: string[] } }> }>("GET", "/discoveries?status=open");
    const mine = open.data.find((d) => d.fingerprint === `key:${rogue.keyId}`)!;
    expect(mine.evidence.signals).toContain("unknown_agent_id");
    expect(mine.subject.agents).toEqual([rogueId]);
    // The header is unauthenticated: naming a registered agent does not hide automated traffic.
    const spoofed = open.data.find((d) => d.fingerprint === `key:${legit.keyId}`)!;
    expect(spoofed.evidence.signals).toEqual(expect.arrayContaining(["unverified_agent_claim", "automation_user_agent"]));
    // Running again updates the same record instead of opening a second one.
    await adminOk("POST", "/discoveries/run");
    expect((await adminOk<{ data: Array<{ fingerprint: string }> }>("GET", "/discoveries?status=open")).data.filter((d) => d.fingerprint === `key:${rogue.keyId}`)).toHaveLength(1);
    const closed = await adminOk<{ status: string }>("POST", `/discoveries/${mine.id}/terminate`, { note: "nobody owns it" });
    expect(closed.status).toBe("terminated");
    await expect.poll(async () => (await chat(rogue.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "hi" }] })).status, { timeout: 6000 }).toBe(401);
    expect((await admin("POST", `/discoveries/${mine.id}/register`, { agent_id: known.id })).status).toBe(409);
    const auditRow = await env.DB.prepare("SELECT detail FROM audit_log WHERE action = 'agent.discovery.terminate' AND resource = ?").bind(`discoveries/${mine.id}`).first<{ detail: string }>();
    expect(JSON.parse(auditRow!.detail).revoked_keys).toEqual([rogue.keyId]);
  });
});

describe("behavioural baselines", () => {
  it("alerts on deviations with evidence and holds the baseline until accepted", async () => {
    const db = uid("db");
    await mockServer(db);
    const agent = await registerAgent(uid("steady"), { grants: [{ server: db, tool: "query_db" }] });
    const now = Date.now();
    const rows = [];
    for (let d = 2; d <= 21; d++) for (let i = 0; i < 10; i++) rows.push([new Date(now - d * DAY + i * 60_000).toISOString(), "query_db"]);
    for (let i = 0; i < 150; i++) rows.push([new Date(now - i * 1000).toISOString(), "query_db"]);
    rows.push([new Date(now - 10).toISOString(), "admin_shell"]);
    await env.DB.batch(rows.map(([ts, tool]) => env.DB.prepare("INSERT INTO agent_calls (ts, agent, server, tool, decision, arg_shape, trace, chain) VALUES (?, ?, ?, ?, 'allow', '{}', 't', '[]')").bind(ts, agent.id, db, tool)));
    const run = await adminOk<{ alerts: number }>("POST", "/baselines/run");
    expect(run.alerts).toBeGreaterThanOrEqual(1);
    const alert = await env.DB.prepare("SELECT evidence FROM alerts WHERE kind = 'agent_baseline_deviation' AND evidence LIKE ?").bind(`%${agent.id}%`).first<{ evidence: string }>();
    const kinds = (JSON.parse(alert!.evidence).deviations as Array<{ kind: string }>).map((d) => d.kind);
    expect(kinds).toEqual(expect.arrayContaining(["call_volume", "new_tool"]));
    const baseline = await adminOk<{ profile: { pending_deviation?: unknown; daily_calls: { median: number } } }>("GET", `/agents/${agent.id}/baseline`);
    expect(baseline.profile.pending_deviation).toBeDefined();
    expect(baseline.profile.daily_calls.median).toBe(10);
    expect((await admin("GET", "/agents/NOT..valid/baseline")).status).toBe(400);
    const accepted = await adminOk<{ profile: Record<string, unknown> }>("POST", `/agents/${agent.id}/baseline/accept`, { note: "new reporting job, confirmed with owner" });
    expect(accepted.profile.pending_deviation).toBeUndefined();
  });
});

describe("quarterly access reviews", () => {
  it("opens a campaign of every grant with last use, flags unused ones, revokes on decision, completes and escalates", async () => {
    const db = uid("db");
    await mockServer(db);
    const agent = await registerAgent(uid("reviewed"), { grants: [{ server: db, tool: "query_db" }, { server: db, tool: "refund", when: "args.amount <= 10" }] });
    await env.DB.prepare("INSERT INTO agent_calls (ts, agent, server, tool, decision, arg_shape, trace, chain) VALUES (?, ?, ?, 'query_db', 'allow', '{}', 't', '[]')").bind(new Date().toISOString(), agent.id, db).run();
    const review = await adminOk<{ id: string; status: string; items: Array<{ id: string; agent: string; grant: { tool: string }; lastUsed: string | null; unused_90d: boolean }> }>("POST", "/access-reviews");
    const again = await adminOk<{ id: string }>("POST", "/access-reviews");
    expect(again.id).toBe(review.id);
    const items = review.items.filter((i) => i.agent === agent.id);
    expect(items).toHaveLength(2);
    const used = items.find((i) => i.grant.tool === "query_db")!;
    const unused = items.find((i) => i.grant.tool === "refund")!;
    expect(used.unused_90d).toBe(false);
    expect(used.lastUsed).not.toBeNull();
    expect(unused.unused_90d).toBe(true);
    await adminOk("POST", `/access-reviews/${review.id}/items/${unused.id}`, { decision: "revoke", note: "never used" });
    const after = await adminOk<{ grants: Array<{ tool: string }>; policy_version: number }>("GET", `/agents/${agent.id}`);
    expect(after.grants.map((g) => g.tool)).toEqual(["query_db"]);
    expect((await admin("POST", `/access-reviews/${review.id}/items/${unused.id}`, { decision: "approve" })).status).toBe(409);
    // Overdue: move the due date into the past and escalate.
    await env.DB.prepare("UPDATE access_reviews SET due_at = ? WHERE id = ?").bind(new Date(Date.now() - DAY).toISOString(), review.id).run();
    expect((await adminOk<{ escalated: number }>("POST", "/access-reviews/escalate")).escalated).toBe(1);
    expect((await adminOk<{ escalated: number }>("POST", "/access-reviews/escalate")).escalated).toBe(0);
    expect(await env.DB.prepare("SELECT id FROM alerts WHERE kind = 'access_review_overdue' AND evidence LIKE ?").bind(`%${review.id}%`).first()).not.toBeNull();
    const full = await adminOk<{ items: Array<{ id: string; decision: string | null }> }>("GET", `/access-reviews/${review.id}`);
    for (const it of full.items.filter((i) => !i.decision)) await adminOk("POST", `/access-reviews/${review.id}/items/${it.id}`, { decision: "approve" });
    const done = await adminOk<{ status: string; closedAt: string }>("GET", `/access-reviews/${review.id}`);
    expect(done.status).toBe("completed");
    const history = await adminOk<{ data: Array<{ id: string }> }>("GET", "/access-reviews");
    expect(history.data.map((r) => r.id)).toContain(review.id);
  });
});

describe("cron wiring", () => {
  it("runs discovery, baselines and escalation daily and opens reviews quarterly", async () => {
    expect(cronSchedule["0 3 * * *"]).toEqual(expect.arrayContaining(["shadow-agent-discovery", "agent-baselines", "agent-access-review-escalation"]));
    expect(cronSchedule["0 7 1 1,4,7,10 *"]).toContain("agent-access-review");
    await cronJobs["agent-access-review"](env, Date.now());
    await cronJobs["shadow-agent-discovery"](env, Date.now());
    expect(await env.DB.prepare("SELECT count(*) AS n FROM access_reviews").first<{ n: number }>()).toMatchObject({ n: 1 });
  });
});
