import { env, SELF } from "cloudflare:test";
import { createLocalJWKSet, decodeJwt, jwtVerify, SignJWT, generateKeyPair } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { issueAgentToken } from "../../src/agents/tokens";
import { admin, adminOk, BASE } from "./helpers";
import { ensureTeam, exchange, mcp, mockServer, newAgentKey, openSession, proof, registerAgent, tokenFor, uid, type TestAgent } from "./agents-helpers";

let db: string;
let alice: TestAgent;
let bob: TestAgent;

beforeAll(async () => {
  await ensureTeam("agents-team");
  db = uid("db");
  await mockServer(db);
  alice = await registerAgent(uid("alice"), { grants: [{ server: db, tool: "query_db" }] });
  bob = await registerAgent(uid("bob"), { grants: [{ server: db, tool: "query_db" }] });
});

const list = { jsonrpc: "2.0", id: 1, method: "initialize", params: {} };

describe("agent authentication (DPoP)", () => {
  it("refuses missing, bearer-scheme and forged tokens with 401 and a reason", async () => {
    const url = `${BASE}/mcp/${db}`;
    const none = await SELF.fetch(url, { method: "POST", body: JSON.stringify(list) });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("DPoP");
    const { access_token } = await tokenFor(alice.id);
    const bearer = await SELF.fetch(url, { method: "POST", headers: { authorization: `Bearer ${access_token}` }, body: JSON.stringify(list) });
    expect(bearer.status).toBe(401);
    expect(((await bearer.json()) as { error: { message: string } }).error.message).toContain("DPoP scheme");
    // Same claims, signed by a key that is not the gateway's.
    const fake = await new SignJWT(decodeJwt(access_token)).setProtectedHeader({ alg: "ES256", typ: "at+jwt" }).sign((await generateKeyPair("ES256")).privateKey);
    const forged = await mcp(alice, fake, db, list);
    expect(forged.status).toBe(401);
    expect(forged.body.error?.data).toMatchObject({ reason: "invalid_token" });
  });

  it("refuses expired tokens", async () => {
    const agent = (await env.DB.prepare("SELECT jkt FROM agents WHERE id = ?").bind(alice.id).first<{ jkt: string }>())!;
    const expired = await issueAgentToken(env, { chain: [alice.id], jkt: agent.jkt, txn: `trc_${crypto.randomUUID()}`, ttlSeconds: -120 });
    const r = await mcp(alice, expired.token, db, list);
    expect(r.status).toBe(401);
    expect(r.body.error?.data).toMatchObject({ reason: "token_expired" });
  });

  it("refuses a replayed DPoP proof", async () => {
    const { access_token } = await tokenFor(alice.id);
    const p = await proof(alice, "POST", `${BASE}/mcp/${db}`, access_token);
    expect((await mcp(alice, access_token, db, list, null, { proof: p })).status).toBe(200);
    const replay = await mcp(alice, access_token, db, list, null, { proof: p });
    expect(replay.status).toBe(401);
    expect(replay.body.error?.message).toContain("replay");
  });

  it("admits a proof once even when the same proof races in concurrently", async () => {
    const { access_token } = await tokenFor(alice.id);
    const p = await proof(alice, "POST", `${BASE}/mcp/${db}`, access_token);
    const results = await Promise.all(Array.from({ length: 5 }, () => mcp(alice, access_token, db, list, null, { proof: p })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401, 401, 401]);
  });

  it("refuses proofs for another URL or method and proofs not bound to the token", async () => {
    const { access_token } = await tokenFor(alice.id);
    expect((await mcp(alice, access_token, db, list, null, { proof: await proof(alice, "POST", `${BASE}/mcp/elsewhere`, access_token) })).status).toBe(401);
    expect((await mcp(alice, access_token, db, list, null, { proof: await proof(alice, "GET", `${BASE}/mcp/${db}`, access_token) })).status).toBe(401);
    expect((await mcp(alice, access_token, db, list, null, { proof: await proof(alice, "POST", `${BASE}/mcp/${db}`, "other-token") })).status).toBe(401);
  });

  it("refuses agent A's token used by agent B", async () => {
    const { access_token } = await tokenFor(alice.id);
    const stolen = await mcp(bob, access_token, db, list);
    expect(stolen.status).toBe(401);
    expect(stolen.body.error?.message).toContain("bound to another key");
  });

  it("refuses tokens bound to a key the agent no longer has (rotation) and of deregistered agents", async () => {
    const carol = await registerAgent(uid("carol"), { grants: [{ server: db, tool: "query_db" }] });
    const { access_token } = await tokenFor(carol.id);
    expect((await mcp(carol, access_token, db, list)).status).toBe(200);
    const fresh = await newAgentKey();
    await registerAgent(carol.id, { grants: [{ server: db, tool: "query_db" }] }, fresh);
    const r = await mcp(carol, access_token, db, list);
    expect(r.status).toBe(401);
    expect(r.body.error?.message).toContain("no longer");
    await adminOk("DELETE", `/agents/${carol.id}`);
    const gone = await mcp({ ...carol, ...fresh }, access_token, db, list);
    expect(gone.status).toBe(401);
  });
});

describe("delegation chains (RFC 8693 token exchange)", () => {
  let a: TestAgent, b: TestAgent, c: TestAgent;
  beforeAll(async () => {
    const [ia, ib, ic] = [uid("a"), uid("b"), uid("c")];
    // a → b → c, and c may (wrongly) delegate back to a: the cycle check must still refuse it.
    a = await registerAgent(ia, { may_delegate_to: [ib], grants: [{ server: db, tool: "read_file", when: "args.path.startsWith('/data/public/')" }] });
    b = await registerAgent(ib, { may_delegate_to: [ic], grants: [{ server: db, tool: "read_file" }, { server: db, tool: "admin_shell" }] });
    c = await registerAgent(ic, { may_delegate_to: [ia], grants: [{ server: db, tool: "read_file" }] });
  });

  it("issues a delegated token with nested act and the same txn, and traces the chain end to end", async () => {
    const ta = await tokenFor(a.id);
    const tb = await tokenFor(b.id);
    const ex1 = await exchange(b, tb.access_token, ta.access_token);
    expect(ex1.status).toBe(200);
    expect(ex1.body).toMatchObject({ token_type: "DPoP", issued_token_type: "urn:ietf:params:oauth:token-type:access_token" });
    const tc = await tokenFor(c.id);
    const ex2 = await exchange(c, tc.access_token, ex1.body.access_token as string);
    expect(ex2.status).toBe(200);
    const claims = decodeJwt(ex2.body.access_token as string);
    expect(claims.sub).toBe(a.id);
    expect(claims.act).toEqual({ sub: c.id, act: { sub: b.id } });
    expect(claims.txn).toBe(ta.txn);
    expect(decodeJwt(ex1.body.access_token as string).txn).toBe(ta.txn);
    // c acts for a: a's own rule (path prefix) still applies.
    const sid = await openSession(c, ex2.body.access_token as string, db);
    const denied = await mcp(c, ex2.body.access_token as string, db, { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "read_file", arguments: { path: "/data/secret/x" } } }, sid);
    expect(denied.body.error?.data).toMatchObject({ agent: a.id });
    const ok = await mcp(c, ex2.body.access_token as string, db, { jsonrpc: "2.0", id: 10, method: "tools/call", params: { name: "read_file", arguments: { path: "/data/public/x" } } }, sid);
    expect(ok.body.result).toBeDefined();
    const trace = await adminOk<{ chain: string[]; depth: number; events: Array<{ kind: string }>; calls: Array<{ decision: string }> }>("GET", `/delegations/${ta.txn}`);
    expect(trace.chain).toEqual([a.id, b.id, c.id]);
    expect(trace.depth).toBe(2);
    expect(trace.events.map((e) => e.kind)).toEqual(["issued", "exchanged", "exchanged"]);
    await expect.poll(async () => (await adminOk<{ calls: unknown[] }>("GET", `/delegations/${ta.txn}`)).calls.length).toBeGreaterThanOrEqual(2);
  });

  it("blocks the confused deputy: b cannot use a's delegation to run a tool a lacks", async () => {
    const ta = await tokenFor(a.id);
    const tb = await tokenFor(b.id);
    const delegated = (await exchange(b, tb.access_token, ta.access_token)).body.access_token as string;
    const sid = await openSession(b, delegated, db);
    const r = await mcp(b, delegated, db, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "admin_shell", arguments: { cmd: "id" } } }, sid);
    expect(r.body.error?.code).toBe(-32010);
    expect(r.body.error?.data).toMatchObject({ agent: a.id });
    // With its own token, b may.
    const own = await openSession(b, tb.access_token, db);
    expect((await mcp(b, tb.access_token, db, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "admin_shell", arguments: { cmd: "id" } } }, own)).body.result).toBeDefined();
  });

  it("refuses cycles, unauthorized hops and bad actor credentials", async () => {
    const ta = await tokenFor(a.id);
    const ab = (await exchange(b, (await tokenFor(b.id)).access_token, ta.access_token)).body.access_token as string;
    const abc = (await exchange(c, (await tokenFor(c.id)).access_token, ab)).body.access_token as string;
    const cycle = await exchange(a, (await tokenFor(a.id)).access_token, abc);
    expect(cycle.status).toBe(400);
    expect(cycle.body).toMatchObject({ error: "invalid_grant", reason: "chain_cycle" });
    const skip = await exchange(c, (await tokenFor(c.id)).access_token, ta.access_token);
    expect(skip.body).toMatchObject({ error: "invalid_grant", reason: "chain_not_authorized" });
    // b presents its token but signs the proof with c's key.
    const wrongKey = await exchange(c, (await tokenFor(b.id)).access_token, ta.access_token);
    expect(wrongKey.status).toBe(401);
    const badGrant = await exchange(b, (await tokenFor(b.id)).access_token, ta.access_token, { grant_type: "password" });
    expect(badGrant.body.error).toBe("unsupported_grant_type");
  });

  it("refuses chains deeper than the limit", async () => {
    const ids = Array.from({ length: 7 }, (_, i) => uid(`d${i}`));
    const agents: TestAgent[] = [];
    for (let i = ids.length - 1; i >= 0; i--) agents.unshift(await registerAgent(ids[i], { may_delegate_to: i + 1 < ids.length ? [ids[i + 1]] : [] }));
    let token = (await tokenFor(ids[0])).access_token;
    for (let i = 1; i <= 5; i++) {
      const r = await exchange(agents[i], (await tokenFor(ids[i])).access_token, token);
      expect(r.status, `hop ${i}`).toBe(200);
      token = r.body.access_token as string;
    }
    const over = await exchange(agents[6], (await tokenFor(ids[6])).access_token, token);
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ reason: "chain_depth_exceeded" });
  });
});

describe("agent to agent (A2A) with mutual authentication", () => {
  it("publishes cards, verifies the caller, and signs the callee's answer", async () => {
    const callee = await registerAgent(uid("callee"), { a2a_url: "https://mocks.invalid/__mock/a2a/PLACEHOLDER", skills: [{ id: "greet", name: "Greet", description: "says hello" }] });
    // The mock checks that the caller assertion's audience is its own name, so name it after the agent.
    await registerAgent(callee.id, { a2a_url: `https://mocks.invalid/__mock/a2a/${callee.id}`, skills: [{ id: "greet", name: "Greet", description: "says hello" }] }, callee);
    const caller = await registerAgent(uid("caller"), { may_delegate_to: [callee.id] });
    const stranger = await registerAgent(uid("stranger"), {});
    const card = await (await SELF.fetch(`${BASE}/.well-known/agent-card.json`)).json<{ skills: Array<{ id: string }> }>();
    expect(card.skills.map((s) => s.id)).toContain(callee.id);
    const calleeCard = await (await SELF.fetch(`${BASE}/a2a/${callee.id}/.well-known/agent-card.json`)).json<{ url: string; skills: unknown[]; securitySchemes: unknown }>();
    expect(calleeCard.url).toBe(`${BASE}/a2a/${callee.id}`);
    const url = `${BASE}/a2a/${callee.id}`;
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "message/send", params: { message: { role: "user", parts: [{ kind: "text", text: "hi" }], messageId: "m1" } } });
    const { access_token } = await tokenFor(caller.id);
    const p = await proof(caller, "POST", url, access_token);
    const res = await SELF.fetch(url, { method: "POST", headers: { authorization: `DPoP ${access_token}`, dpop: p, "content-type": "application/json" }, body });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(`hello ${caller.id}`);
    const jwks = createLocalJWKSet(await (await SELF.fetch(`${BASE}/.well-known/jwks.json`)).json());
    const { payload } = await jwtVerify(res.headers.get("x-switchyard-signature")!, jwks, { audience: caller.id, typ: "a2a-response+jwt" });
    expect(payload.sub).toBe(callee.id);
    expect(payload.req).toBe(decodeJwt(p).jti);
    const digest = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    expect(payload.body_sha256).toBe(digest);
    // A caller that may not delegate to the callee is refused before the callee is reached.
    const t2 = (await tokenFor(stranger.id)).access_token;
    const refused = await SELF.fetch(url, { method: "POST", headers: { authorization: `DPoP ${t2}`, dpop: await proof(stranger, "POST", url, t2) }, body });
    expect(refused.status).toBe(403);
    // No token at all: 401.
    expect((await SELF.fetch(url, { method: "POST", body })).status).toBe(401);
  });

  it("answers admin errors as problems", async () => {
    const res = await admin("GET", "/delegations/not-a-trace");
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("problem+json");
  });
});
