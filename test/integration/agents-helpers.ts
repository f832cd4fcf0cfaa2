/**
 * @module
 * Helpers for agent-plane integration tests: agent key pairs, registration through the admin
 * API, DPoP proofs (RFC 9449) and MCP calls through SELF.fetch.
 */
import { SELF } from "cloudflare:test";
import { base64url, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { adminOk, BASE } from "./helpers";

export interface TestAgent {
  id: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

let n = 0;
export const uid = (p: string) => `${p}-${Date.now().toString(36)}${(n++).toString(36)}`;

export async function newAgentKey(): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const kp = await generateKeyPair("ES256", { extractable: true });
  return { privateKey: kp.privateKey, jwk: await exportJWK(kp.publicKey) };
}

export async function ensureTeam(team: string): Promise<void> {
  await adminOk("PUT", `/teams/${team}`, { monthly_budget_usd: 100, rpm: 1000, tpm: 1000000, residency: "us" });
}

export async function mockServer(id: string, mockName = id): Promise<void> {
  await adminOk("PUT", `/mcp-servers/${id}`, { url: `https://mocks.invalid/__mock/mcp/${mockName}` });
}

export async function registerAgent(id: string, spec: Record<string, unknown>, key?: { privateKey: CryptoKey; jwk: JWK }): Promise<TestAgent> {
  const k = key ?? (await newAgentKey());
  await adminOk("PUT", `/agents/${id}`, { team: "agents-team", purpose: `test agent ${id}`, public_jwk: k.jwk, grants: [], may_delegate_to: [], ...spec });
  return { id, ...k };
}

export async function tokenFor(agent: string, ttl_s = 300): Promise<{ access_token: string; txn: string }> {
  return adminOk("POST", `/agents/${agent}/tokens`, { ttl_s });
}

export async function proof(agent: Pick<TestAgent, "privateKey" | "jwk">, method: string, url: string, token?: string, over: Record<string, unknown> = {}): Promise<string> {
  const ath = token ? base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)))) : undefined;
  return new SignJWT({ htm: method, htu: url, jti: crypto.randomUUID(), ...(ath ? { ath } : {}), ...over })
    .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: agent.jwk })
    .setIssuedAt()
    .sign(agent.privateKey);
}

export interface McpCall {
  status: number;
  body: { id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string; data?: Record<string, unknown> } };
  headers: Headers;
  text: string;
}

/** POSTs one JSON-RPC message (object or raw string) to /mcp/{server} as `agent` with `token`. */
export async function mcp(agent: TestAgent, token: string, server: string, msg: unknown, session?: string | null, extra: { proof?: string } = {}): Promise<McpCall> {
  const url = `${BASE}/mcp/${server}`;
  const res = await SELF.fetch(url, {
    method: "POST",
    headers: {
      authorization: `DPoP ${token}`,
      dpop: extra.proof ?? (await proof(agent, "POST", url, token)),
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(session ? { "mcp-session-id": session } : {}),
    },
    body: typeof msg === "string" ? msg : JSON.stringify(msg),
  });
  const text = await res.text();
  let body: McpCall["body"] = {};
  try {
    body = JSON.parse(text);
  } catch {
    const data = text.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)));
    body = data.find((m) => m.id !== undefined) ?? {};
  }
  return { status: res.status, body, headers: res.headers, text };
}

/** initialize + notifications/initialized; returns the gateway session id. */
export async function openSession(agent: TestAgent, token: string, server: string): Promise<string> {
  const init = await mcp(agent, token, server, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } });
  if (init.status !== 200) throw new Error(`initialize → ${init.status} ${init.text}`);
  const sid = init.headers.get("mcp-session-id")!;
  await mcp(agent, token, server, { jsonrpc: "2.0", method: "notifications/initialized" }, sid);
  return sid;
}

export async function mockCalls(mockName: string): Promise<Array<{ method: string; params: { name?: string; arguments?: Record<string, unknown> } | null; session: string | null; headers: Record<string, string> }>> {
  const res = await SELF.fetch(`${BASE}/__mock/mcp/${mockName}/calls`);
  return ((await res.json()) as { calls: [] }).calls;
}

export async function exchange(actor: TestAgent, actorToken: string, subjectToken: string, over: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = `${BASE}/v1/agents/token-exchange`;
  const form = new URLSearchParams({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: subjectToken,
    subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
    actor_token: actorToken,
    actor_token_type: "urn:ietf:params:oauth:token-type:access_token",
    ...over,
  });
  const res = await SELF.fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", dpop: await proof(actor, "POST", url) }, body: form });
  return { status: res.status, body: await res.json() };
}
