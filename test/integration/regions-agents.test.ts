/**
 * The agent plane follows home-edge processing: an agent of an EU team that calls the us (or
 * apac) edge is authenticated there and served by the eu edge, its tool-call records exist only
 * in the eu zone's D1, streamed MCP answers pass the forward unbuffered, and forward headers a
 * client makes up are ignored.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newAgentKey, proof, type TestAgent } from "./agents-helpers";
import { adminOk, adminToken, BASE, eventually } from "./helpers";
import { viaEdge, zoneDb, type Zone } from "./regions-helpers";

const n = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** An EU team with one agent granted `query_db` on a held-SSE mock MCP server. */
async function euAgent(): Promise<{ agent: TestAgent; server: string; team: string; token: string; txn: string }> {
  const id = n();
  const team = `agents-eu-${id}`;
  const server = `ssehold-${id}`;
  await adminOk("PUT", `/teams/${team}`, { monthly_budget_usd: 100, rpm: 1000, tpm: 1000000, residency: "eu" });
  await adminOk("PUT", `/mcp-servers/${server}`, { url: `https://mocks.invalid/__mock/mcp/${server}` });
  const key = await newAgentKey();
  const agent = { id: `agent-eu-${id}`, ...key };
  await adminOk("PUT", `/agents/${agent.id}`, {
    team, purpose: "residency test", public_jwk: key.jwk, grants: [{ server, tool: "query_db" }], may_delegate_to: [],
  });
  // Issued by the us edge's admin API: the token must verify on every edge (one gateway key).
  const { access_token, txn } = await adminOk<{ access_token: string; txn: string }>("POST", `/agents/${agent.id}/tokens`, { ttl_s: 300 });
  return { agent, server, team, token: access_token, txn };
}

async function mcpVia(zone: Zone, agent: TestAgent, token: string, server: string, msg: unknown, extra: Record<string, string> = {}): Promise<Response> {
  const url = `${BASE}/mcp/${server}`;
  return viaEdge(zone, `/mcp/${server}`, {
    method: "POST",
    headers: {
      authorization: `DPoP ${token}`, dpop: await proof(agent, "POST", url, token),
      "content-type": "application/json", accept: "application/json, text/event-stream", ...extra,
    },
    body: JSON.stringify(msg),
  });
}

async function callRows(db: D1Database, trace: string): Promise<number> {
  return (await db.prepare("SELECT count(*) AS n FROM agent_calls WHERE trace = ?").bind(trace).first<{ n: number }>())!.n;
}

describe("agent plane on the home edge", () => {
  it("an EU agent's MCP calls on the us edge are served by eu, streamed unbuffered, recorded only in eu", async () => {
    const { agent, server, token, txn } = await euAgent();
    const init = await eventually(async () => {
      const r = await mcpVia("us", agent, token, server, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } });
      return r.status === 200 ? r : (await r.text(), undefined);
    });
    expect(init.headers.get("x-switchyard-region")).toBe("eu");
    expect(init.headers.get("x-switchyard-forwarded-from")).toBe("us");
    await init.text();
    const session = init.headers.get("mcp-session-id")!;
    expect(session).toMatch(/^mcps_/);

    // Forged forward headers: a made-up signature and a claimed origin. Both are stripped; the
    // call is still authenticated on us and forwarded, signed, to eu.
    const forged = { "x-switchyard-forwarded-from": "apac", "x-switchyard-forward": `v1.apac.us.${Math.floor(Date.now() / 1000)}.${"A".repeat(43)}`, "mcp-session-id": session };
    const call = await mcpVia("us", agent, token, server, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "query_db", arguments: { table: "orders" } } }, forged);
    expect(call.status).toBe(200);
    expect(call.headers.get("x-switchyard-region")).toBe("eu");
    expect(call.headers.get("x-switchyard-forwarded-from")).toBe("us");
    expect(call.headers.get("content-type")).toContain("text/event-stream");
    // The upstream holds its result until released: the progress event must arrive before that,
    // through both edges (a buffering hop would never deliver it and the test would time out).
    const reader = call.body!.getReader();
    const decoder = new TextDecoder();
    let seen = "";
    while (!seen.includes("notifications/progress")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended early: ${seen}`);
      seen += decoder.decode(value, { stream: true });
    }
    expect(seen).not.toContain('"result"');
    const released = await env.EDGE_EU.fetch(`${BASE}/__mock/mcp/${server}/release`, { method: "POST" });
    expect(await released.json()).toEqual({ released: 1 });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value, { stream: true });
    }
    expect(seen).toContain('"result"');

    // What a data-protection officer checks: the tool-call record exists only in the eu zone.
    await eventually(async () => (await callRows(zoneDb.eu, txn)) === 1);
    expect(await callRows(zoneDb.us, txn)).toBe(0);
    expect(await callRows(zoneDb.apac, txn)).toBe(0);

    // The admin reads gather them back: the call from eu, the token's issuance from us.
    const auditor = { authorization: `Bearer ${await adminToken({ sub: "auditor-1", role: "auditor" })}` };
    const calls = await (await viaEdge("us", `/admin/v1/agents/${agent.id}/calls`, { headers: auditor })).json<{ data: Array<{ tool: string; region: string }> }>();
    expect(calls.data.map((c) => [c.tool, c.region])).toEqual([["query_db", "eu"]]);
    const chain = await (await viaEdge("us", `/admin/v1/delegations/${txn}`, { headers: auditor })).json<{ events: Array<{ kind: string; region: string }>; calls: Array<{ region: string }>; regions: { partial: boolean } }>();
    expect(chain.events.map((e) => [e.kind, e.region])).toEqual([["issued", "us"]]);
    expect(chain.calls.map((c) => c.region)).toEqual(["eu"]);
    expect(chain.regions.partial).toBe(false);
  });

  it("token exchange and refused calls via apac are processed by eu; unauthenticated calls never leave the edge", async () => {
    const { agent, server, token, txn } = await euAgent();
    const url = `${BASE}/v1/agents/token-exchange`;
    const form = new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: token, subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
      actor_token: token, actor_token_type: "urn:ietf:params:oauth:token-type:access_token",
    });
    const exchanged = await viaEdge("apac", "/v1/agents/token-exchange", {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", dpop: await proof(agent, "POST", url) }, body: form,
    });
    // A self-delegation is refused by the chain rules — by the home edge, in OAuth's shape.
    expect(exchanged.headers.get("x-switchyard-region")).toBe("eu");
    expect(exchanged.headers.get("x-switchyard-forwarded-from")).toBe("apac");
    expect(exchanged.status).toBe(400);
    expect(await exchanged.json()).toMatchObject({ error: "invalid_grant" });

    // A tool the agent has no grant for: refused at home, the refusal recorded only in eu.
    const init = await mcpVia("apac", agent, token, server, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } });
    expect(init.headers.get("x-switchyard-region")).toBe("eu");
    const session = init.headers.get("mcp-session-id")!;
    await init.text();
    const denied = await mcpVia("apac", agent, token, server, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "admin_shell", arguments: { cmd: "id" } } }, { "mcp-session-id": session });
    expect(denied.headers.get("x-switchyard-region")).toBe("eu");
    expect((await denied.json<{ error: { code: number } }>()).error).toBeDefined();
    await eventually(async () => (await callRows(zoneDb.eu, txn)) === 1);
    expect(await callRows(zoneDb.apac, txn)).toBe(0);

    // A made-up token: answered 401 by the edge it reached, never forwarded.
    const forgedToken = await viaEdge("us", `/mcp/${server}`, {
      method: "POST", headers: { authorization: "DPoP not-a-token", dpop: await proof(agent, "POST", `${BASE}/mcp/${server}`, "not-a-token"), "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(forgedToken.status).toBe(401);
    expect(forgedToken.headers.get("x-switchyard-region")).toBe("us");
    expect(forgedToken.headers.get("x-switchyard-forwarded-from")).toBeNull();
    await forgedToken.text();
  });

  it("a forward header sent straight to the home edge is ignored (no forwarded_from, proof checked against the real URL)", async () => {
    const { agent, server, token } = await euAgent();
    const res = await mcpVia("eu", agent, token, server, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } }, {
      "x-switchyard-forward": `v1.us.eu.${Math.floor(Date.now() / 1000)}.${"B".repeat(43)}`,
      "x-switchyard-forward-origin": "https://elsewhere.example",
      "x-switchyard-forwarded-from": "us",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-region")).toBe("eu");
    expect(res.headers.get("x-switchyard-forwarded-from")).toBeNull();
    await res.text();
  });
});
