/**
 * Trust boundaries of the agent plane (issue 16, items 6, 7, 11, 14): cross-team grants and
 * delegation need the other team's consent, URLs pass the URL policy, upstream answers are bounded,
 * agent ids stay with their team, team owners read only their team's agent records, MCP sessions
 * are bound to the whole delegation chain, and custom DLP patterns must be RE2.
 */
import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/admin/auth";
import { admin, adminOk, BASE, createOrg } from "./helpers";
import { ensureTeam, exchange, mcp, newAgentKey, openSession, proof, registerAgent, tokenFor, uid, type TestAgent } from "./agents-helpers";

const owner = (team: string): Principal => ({ sub: `owner@${team}`, role: "team-owner", team });
let teamA: string;
let teamB: string;

async function agentBody(team: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return { team, purpose: "security test", public_jwk: (await newAgentKey()).jwk, grants: [], may_delegate_to: [], ...extra };
}

beforeAll(async () => {
  teamA = uid("team-a");
  teamB = uid("team-b");
  await ensureTeam(teamA);
  await ensureTeam(teamB);
  await ensureTeam("agents-team");
});

describe("cross-team grants need the server owner's consent", () => {
  it("refuses a team owner's grant on another team's server until that team consents; withdrawal removes it", async () => {
    const server = uid("srv-a");
    await adminOk("PUT", `/mcp-servers/${server}`, { url: `https://mocks.invalid/__mock/mcp/${server}`, team: teamA });
    const id = uid("b-bot");
    const body = await agentBody(teamB, { grants: [{ server, tool: "*" }] });
    const refused = await admin("PUT", `/agents/${id}`, body, owner(teamB));
    expect(refused.status).toBe(403);
    expect(refused.headers.get("content-type")).toContain("problem+json");
    expect((await refused.json<{ detail: string }>()).detail).toContain("consent");
    // Team B cannot consent on A's behalf; A's owner can.
    expect((await admin("POST", `/mcp-servers/${server}/consents`, { team: teamB }, owner(teamB))).status).toBe(403);
    expect((await admin("POST", `/mcp-servers/${server}/consents`, { team: teamB }, owner(teamA))).status).toBe(200);
    expect((await admin("PUT", `/agents/${id}`, body, owner(teamB))).status).toBe(200);
    // Withdrawing consent removes the grant and moves the policy version.
    const withdrawn = await admin("DELETE", `/mcp-servers/${server}/consents/${teamB}`, undefined, owner(teamA));
    expect(withdrawn.status).toBe(200);
    expect((await withdrawn.json<{ grants_removed_from: string[] }>()).grants_removed_from).toEqual([id]);
    const after = await adminOk<{ grants: unknown[]; policy_version: number }>("GET", `/agents/${id}`);
    expect(after.grants).toEqual([]);
    expect(after.policy_version).toBe(2);
    const audit = await env.DB.prepare("SELECT actor FROM audit_log WHERE action = 'mcp_server.consent.grant' AND resource = ?").bind(`mcp-servers/${server}/consents/${teamB}`).first<{ actor: string }>();
    expect(audit?.actor).toBe(`owner@${teamA}`);
  });

  it("treats a server without an owner team as org-managed: team owners need it shared, admins may grant", async () => {
    const server = uid("srv-org");
    await adminOk("PUT", `/mcp-servers/${server}`, { url: `https://mocks.invalid/__mock/mcp/${server}` });
    const body = await agentBody(teamB, { grants: [{ server, tool: "read_file" }] });
    expect((await admin("PUT", `/agents/${uid("b2")}`, body, owner(teamB))).status).toBe(403);
    expect((await admin("PUT", `/agents/${uid("b3")}`, body)).status).toBe(200);
    expect((await admin("POST", `/mcp-servers/${server}/consents`, { team: teamB }, owner(teamA))).status).toBe(403);
  });
});

describe("cross-team delegation needs the callee's consent", () => {
  it("refuses may_delegate_to another team's agent at registration and on every call", async () => {
    const calleeId = uid("callee-b");
    const calleeKey = await newAgentKey();
    const calleeBody = { team: teamB, purpose: "callee", public_jwk: calleeKey.jwk, a2a_url: `https://mocks.invalid/__mock/a2a/${calleeId}`, accepts_delegation_from: [] };
    expect((await admin("PUT", `/agents/${calleeId}`, calleeBody, owner(teamB))).status).toBe(200);
    const callerId = uid("caller-a");
    const callerKey = await newAgentKey();
    const callerBody = { team: teamA, purpose: "caller", public_jwk: callerKey.jwk, may_delegate_to: [calleeId] };
    const refused = await admin("PUT", `/agents/${callerId}`, callerBody, owner(teamA));
    expect(refused.status).toBe(403);
    expect((await refused.json<{ detail: string }>()).detail).toContain("has not consented");
    // B consents to team A's agents; A may now name the callee.
    expect((await admin("PUT", `/agents/${calleeId}`, { ...calleeBody, accepts_delegation_from: [{ team: teamA }] }, owner(teamB))).status).toBe(200);
    expect((await admin("PUT", `/agents/${callerId}`, callerBody, owner(teamA))).status).toBe(200);
    const url = `${BASE}/a2a/${calleeId}`;
    const call = async () => {
      const { access_token } = await tokenFor(callerId);
      const caller = { privateKey: callerKey.privateKey, jwk: callerKey.jwk };
      return SELF.fetch(url, {
        method: "POST",
        headers: { authorization: `DPoP ${access_token}`, dpop: await proof(caller, "POST", url, access_token), "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "message/send", params: { message: { role: "user", parts: [{ kind: "text", text: "hi" }], messageId: "m" } } }),
      });
    };
    const ok = await call();
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    // B withdraws consent: the very next call is refused, though A's registration still names B.
    expect((await admin("PUT", `/agents/${calleeId}`, calleeBody, owner(teamB))).status).toBe(200);
    const after = await call();
    expect(after.status).toBe(403);
    expect(await after.text()).toContain("has not consented");
  });
});

describe("upstream URLs are checked against the URL policy", () => {
  const bad = [
    "http://127.0.0.1/a2a", "https://127.0.0.1/", "https://10.0.0.7/", "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/", "https://[fd00::1]/", "https://[::ffff:127.0.0.1]/", "https://100.64.0.1/", "https://2130706433/",
    "https://localhost/", "https://metadata.google.internal/", "https://printer.local/", "https://intranet/",
    "http://api.example.com/", "https://api.example.com/", "https://user:secret@api.example.com/",
  ];

  it("refuses private, loopback, link-local, CGNAT, internal, non-https and unlisted a2a_url values", async () => {
    for (const a2a_url of bad) {
      const res = await admin("PUT", `/agents/${uid("url")}`, await agentBody("agents-team", { a2a_url }));
      expect(res.status, a2a_url).toBe(422);
      expect(await res.json<{ title: string }>()).toMatchObject({ title: "URL Not Allowed" });
    }
  });

  it("refuses the same for MCP server URLs", async () => {
    for (const url of bad) expect((await admin("PUT", `/mcp-servers/${uid("srv")}`, { url })).status, url).toBe(422);
  });
});

describe("every upstream read is bounded", () => {
  it("refuses an A2A answer over the byte ceiling and an upstream redirect, with 502", async () => {
    for (const [name, reason] of [[uid("huge"), "upstream_too_large"], [uid("redirect"), "upstream_redirect"]] as const) {
      const callee = await registerAgent(name, { a2a_url: `https://mocks.invalid/__mock/a2a/${name}` });
      const caller = await registerAgent(uid("bounded-caller"), { may_delegate_to: [callee.id] });
      const url = `${BASE}/a2a/${callee.id}`;
      const { access_token } = await tokenFor(caller.id);
      const res = await SELF.fetch(url, { method: "POST", headers: { authorization: `DPoP ${access_token}`, dpop: await proof(caller, "POST", url, access_token) }, body: "{}" });
      expect(res.status).toBe(502);
      expect((await res.json<{ error: { data: { reason: string } } }>()).error.data.reason).toBe(reason);
    }
  });

  it("cuts a streamed MCP answer off at the ceiling", async () => {
    const server = uid("huge-mcp");
    await adminOk("PUT", `/mcp-servers/${server}`, { url: `https://mocks.invalid/__mock/mcp/${server}` });
    const bot = await registerAgent(uid("huge-bot"), { grants: [{ server, tool: "*" }] });
    const { access_token } = await tokenFor(bot.id);
    const url = `${BASE}/mcp/${server}`;
    const res = await SELF.fetch(url, {
      method: "POST",
      headers: { authorization: `DPoP ${access_token}`, dpop: await proof(bot, "POST", url, access_token), "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} }),
    });
    const read = await res.arrayBuffer().then((b) => b.byteLength, () => -1);
    expect(read).toBeLessThanOrEqual(4 * 1024 * 1024);
  });
});

describe("agent ids stay with their team", () => {
  it("refuses another team's claim on a live, deleted or re-registered id, and lets the owner team back", async () => {
    const id = uid("reserved");
    expect((await admin("PUT", `/agents/${id}`, await agentBody(teamA), owner(teamA))).status).toBe(200);
    expect((await admin("PUT", `/agents/${id}`, await agentBody(teamB))).status).toBe(409);
    expect((await admin("DELETE", `/agents/${id}`, undefined, owner(teamA))).status).toBe(204);
    const takeover = await admin("PUT", `/agents/${id}`, await agentBody(teamB), owner(teamB));
    expect(takeover.status).toBe(409);
    expect((await takeover.json<{ detail: string }>()).detail).toContain(teamA);
    expect((await admin("PUT", `/agents/${id}`, await agentBody(teamB))).status).toBe(409);
    expect((await admin("PUT", `/agents/${id}`, await agentBody(teamA), owner(teamA))).status).toBe(200);
  });
});

describe("team owners read only their team's agent records", () => {
  let mine: string;
  let theirs: string;
  beforeAll(async () => {
    mine = uid("mine");
    theirs = uid("theirs");
    expect((await admin("PUT", `/agents/${mine}`, await agentBody(teamB), owner(teamB))).status).toBe(200);
    expect((await admin("PUT", `/agents/${theirs}`, await agentBody(teamA), owner(teamA))).status).toBe(200);
    const ts = new Date().toISOString();
    for (const a of [mine, theirs]) {
      await env.DB.prepare("INSERT INTO agent_baselines (agent, profile, updated_at) VALUES (?, ?, ?)").bind(a, JSON.stringify({ tools: { query_db: 10 } }), ts).run();
    }
  });

  it("refuses team A's baseline to team B's owner", async () => {
    expect((await admin("GET", `/agents/${theirs}/baseline`, undefined, owner(teamB))).status).toBe(403);
    expect((await admin("GET", `/agents/${mine}/baseline`, undefined, owner(teamB))).status).toBe(200);
    expect((await admin("GET", `/agents/${theirs}/baseline`, undefined, { sub: "aud", role: "auditor" })).status).toBe(200);
  });

  it("shows team B's owner only team B's items of an access review", async () => {
    const review = `rev_${uid("r").replace(/-/g, "_")}`;
    const ts = new Date().toISOString();
    await env.DB.prepare("INSERT INTO access_reviews (id, period, status, opened_at, due_at) VALUES (?, ?, 'open', ?, ?)").bind(review, review, ts, ts).run();
    for (const [i, a] of [mine, theirs].entries()) {
      await env.DB.prepare("INSERT INTO access_review_items (id, review_id, agent, grant_spec, unused_90d) VALUES (?, ?, ?, ?, 0)")
        .bind(`${review}_${i}`, review, a, JSON.stringify({ server: "s", tool: "t" })).run();
    }
    const asB = await admin("GET", `/access-reviews/${review}`, undefined, owner(teamB));
    expect(asB.status).toBe(200);
    expect((await asB.json<{ items: Array<{ agent: string }> }>()).items.map((i) => i.agent)).toEqual([mine]);
    const asAdmin = await adminOk<{ items: unknown[] }>("GET", `/access-reviews/${review}`);
    expect(asAdmin.items).toHaveLength(2);
  });

  it("refuses every other agent-plane route on team A's records", async () => {
    const b = owner(teamB);
    expect((await admin("GET", `/agents/${theirs}`, undefined, b)).status).toBe(403);
    expect((await admin("GET", `/agents/${theirs}/calls`, undefined, b)).status).toBe(403);
    expect((await admin("POST", `/agents/${theirs}/tokens`, { ttl_s: 60 }, b)).status).toBe(403);
    expect((await admin("PUT", `/agents/${theirs}`, await agentBody(teamA), b)).status).toBe(403);
    expect((await admin("DELETE", `/agents/${theirs}`, undefined, b)).status).toBe(403);
    const list = await admin("GET", "/agents", undefined, b);
    expect((await list.json<{ data: Array<{ id: string }> }>()).data.map((a) => a.id)).not.toContain(theirs);
    for (const path of ["/discoveries", "/access-reviews", `/delegations/trc_${crypto.randomUUID()}`]) {
      expect((await admin("GET", path, undefined, b)).status, path).toBe(403);
    }
    const server = uid("srv-private");
    await adminOk("PUT", `/mcp-servers/${server}`, { url: `https://mocks.invalid/__mock/mcp/${server}`, team: teamA });
    expect((await admin("GET", `/mcp-servers/${server}`, undefined, b)).status).toBe(404);
    const servers = await (await admin("GET", "/mcp-servers", undefined, b)).json<{ data: Array<{ id: string }> }>();
    expect(servers.data.map((s) => s.id)).not.toContain(server);
    expect((await admin("GET", `/mcp-servers/${server}`, undefined, owner(teamA))).status).toBe(200);
  });
});

describe("MCP sessions are bound to the whole delegation chain", () => {
  let server: string;
  let a: TestAgent, c: TestAgent, b: TestAgent;
  beforeAll(async () => {
    server = uid("chain-db");
    await adminOk("PUT", `/mcp-servers/${server}`, { url: `https://mocks.invalid/__mock/mcp/${server}` });
    const ib = uid("deputy");
    b = await registerAgent(ib, { grants: [{ server, tool: "*" }] });
    a = await registerAgent(uid("orig-a"), { may_delegate_to: [ib], grants: [{ server, tool: "read_file" }] });
    c = await registerAgent(uid("orig-c"), { may_delegate_to: [ib], grants: [{ server, tool: "read_file" }] });
  });

  it("refuses a session opened under A → B to a token for C → B", async () => {
    const tb = (await tokenFor(b.id)).access_token;
    const ab = (await exchange(b, tb, (await tokenFor(a.id)).access_token)).body.access_token as string;
    const cb = (await exchange(b, tb, (await tokenFor(c.id)).access_token)).body.access_token as string;
    const sid = await openSession(b, ab, server);
    const call = { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "read_file", arguments: { path: "/x" } } };
    expect((await mcp(b, ab, server, call, sid)).body.result).toBeDefined();
    const hijack = await mcp(b, cb, server, call, sid);
    expect(hijack.status).toBe(404);
    expect(hijack.body.error?.message).toContain("another delegation chain");
    // b acting alone is a different chain too.
    expect((await mcp(b, tb, server, call, sid)).status).toBe(404);
  });

  it("checks the per-server grant on DELETE", async () => {
    const solo = await registerAgent(uid("solo"), { grants: [{ server, tool: "*" }] });
    const token = (await tokenFor(solo.id)).access_token;
    const sid = await openSession(solo, token, server);
    await registerAgent(solo.id, { grants: [] }, solo);
    const url = `${BASE}/mcp/${server}`;
    const res = await SELF.fetch(url, { method: "DELETE", headers: { authorization: `DPoP ${token}`, dpop: await proof(solo, "DELETE", url, token), "mcp-session-id": sid } });
    expect(res.status).toBe(403);
  });
});

describe("custom DLP patterns must be RE2", () => {
  it("refuses a pattern RE2 cannot compile at the admin API, naming it in a problem document", async () => {
    const org = await createOrg();
    const wl = await adminOk<Record<string, unknown>>("GET", `/workloads/${org.workload}`);
    const { id: _id, updated_at: _u, ...spec } = wl;
    const res = await admin("PUT", `/workloads/${org.workload}`, { ...spec, dlp: { custom: [{ type: "SECRET_ID", pattern: "(?<=id:)\\d+" }] } });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("problem+json");
    const problem = await res.json<{ detail: string }>();
    expect(problem.detail).toContain("(?<=id:)");
    expect(problem.detail).toContain("RE2");
  });
});
