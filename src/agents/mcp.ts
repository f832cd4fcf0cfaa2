/**
 * @module
 * The MCP proxy at /mcp/{server}: Streamable HTTP (JSON-RPC over POST, JSON or SSE answers,
 * Mcp-Session-Id sessions) between an authenticated agent and a registered upstream. Only a short
 * list of methods passes (fail closed: resources and prompts are not covered by grants). `tools/list`
 * is filtered to what the agent may call; `tools/call` is decided against the grants of EVERY
 * agent in the delegation chain — a delegate cannot do for its originator what the originator
 * could not do itself (the confused-deputy rule). The message forwarded upstream is the parsed
 * and re-serialised one that was checked, so duplicate keys or other parser differentials cannot
 * make the upstream see arguments the policy did not.
 */
import type { Env } from "../env";
import { DEFAULT_MAX_BODY_BYTES, readBodyText } from "../gateway/body";
import { authenticateAgent, type AgentCaller } from "./auth";
import { recordCall } from "./calls";
import { AgentAuthError } from "./dpop";
import { authErrorResponse, mapSse, parseRpc, RPC, rpcError, type RpcMessage } from "./jsonrpc";
import { authorize, mayListTool, type Args } from "./policy";
import type { RegisteredServer } from "./registry";
import { boundedBody, readUpstreamText, upstreamFetch, upstreamMaxBytes, UpstreamRefused } from "./upstream";

const PASSED_METHODS = new Set(["initialize", "notifications/initialized", "notifications/cancelled", "notifications/progress", "ping", "tools/list", "tools/call"]);
const SESSION_TTL_S = 3600;
/** An MCP message larger than this is refused before parsing. */
const MAX_MCP_BODY = 1024 * 1024;

/** The chain a session is bound to: every agent, originator first (a session is one chain's). */
export function chainKey(caller: Pick<AgentCaller, "chain">): string {
  return caller.chain.map((a) => a.id).join(" > ");
}

export interface Deps {
  env: Env;
  waitUntil(p: Promise<unknown>): void;
}

function isPlainObject(v: unknown): v is Args {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Handles one request to /mcp/{server}.
 * @example app.all("/mcp/:server", (c) => handleMcp(c.req.raw, c.req.param("server"), deps))
 */
export async function handleMcp(request: Request, serverId: string, deps: Deps): Promise<Response> {
  if (request.method === "GET") return new Response(null, { status: 405, headers: { allow: "POST, DELETE" } });
  if (request.method !== "POST" && request.method !== "DELETE") return rpcError(null, RPC.invalidRequest, "Use POST (or DELETE to end a session).", undefined, 405, { allow: "POST, DELETE" });
  const sessionId = request.headers.get("mcp-session-id");
  let caller: AgentCaller;
  try {
    caller = await authenticateAgent(deps.env, request, sessionId);
  } catch (err) {
    if (err instanceof AgentAuthError) return authErrorResponse(err);
    throw err;
  }
  const server = caller.registry.servers.get(serverId);
  if (!server) return rpcError(null, RPC.unknownServer, `No MCP server ${serverId} is registered.`, undefined, 404);
  if (caller.session && caller.session.server !== serverId) return rpcError(null, RPC.invalidRequest, "This Mcp-Session-Id belongs to another server.", undefined, 404);
  // A session is bound to the whole delegation chain it was opened under: the same acting agent
  // working for another originator (C → B instead of A → B) must open its own session.
  if (caller.session && caller.session.chain !== chainKey(caller)) {
    return rpcError(null, RPC.invalidRequest, "This Mcp-Session-Id belongs to another delegation chain; initialize a new session.", undefined, 404);
  }
  // Every method, DELETE included, needs a grant on this server for every agent of the chain.
  if (!caller.chain.every((a) => a.policy.grants.some((g) => g.server === serverId))) {
    return rpcError(null, RPC.toolNotAuthorized, `Agent ${caller.agent.id} (or an agent it acts for) has no grant on server ${serverId}.`, undefined, 403);
  }
  const stub = deps.env.DELEGATION.get(deps.env.DELEGATION.idFromName(`agent:${caller.agent.id}`));

  if (request.method === "DELETE") {
    if (!sessionId || !caller.session) return rpcError(null, RPC.invalidRequest, "DELETE needs a known Mcp-Session-Id.", undefined, 404);
    await stub.closeSession(sessionId);
    if (caller.session.upstream) await upstreamFetch(deps.env, server.url, { method: "DELETE", headers: { "mcp-session-id": caller.session.upstream } }).catch(() => undefined);
    return new Response(null, { status: 204 });
  }

  let text: string;
  try {
    text = await readBodyText(request, Math.min(MAX_MCP_BODY, Number(deps.env.MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES)));
  } catch {
    return rpcError(null, RPC.invalidRequest, `MCP messages are limited to ${MAX_MCP_BODY} bytes.`, undefined, 413);
  }
  const parsed = parseRpc(text);
  if (!parsed.ok) return parsed.response;
  const msg = parsed.msg;
  const id = msg.id ?? null;
  const isResponse = msg.method === undefined;
  if (!isResponse && !PASSED_METHODS.has(msg.method!)) return rpcError(id, RPC.methodNotFound, `Method ${msg.method} is not permitted through the gateway.`);
  if (msg.method !== "initialize" && !caller.session) return rpcError(id, RPC.invalidRequest, "Mcp-Session-Id required: call initialize first.", undefined, 400);

  if (msg.method === "tools/call") {
    const refused = await checkToolCall(msg, caller, serverId, deps);
    if (refused) return refused;
  }
  return forward(msg, caller, server, deps);
}

async function checkToolCall(msg: RpcMessage, caller: AgentCaller, serverId: string, deps: Deps): Promise<Response | null> {
  const id = msg.id ?? null;
  const name = msg.params?.name;
  const rawArgs = msg.params?.arguments ?? {};
  if (typeof name !== "string" || !name) return rpcError(id, RPC.invalidParams, "tools/call needs params.name.");
  if (!isPlainObject(rawArgs)) return rpcError(id, RPC.invalidParams, "tools/call params.arguments must be an object.");
  const base = { agent: caller.agent.id, chain: caller.chain.map((a) => a.id), trace: caller.trace, server: serverId, tool: name, args: rawArgs };
  for (const member of caller.chain) {
    const decision = authorize(member.policy, serverId, name, rawArgs);
    if (!decision.allowed) {
      deps.waitUntil(recordCall(deps.env, { ...base, decision: "deny", rule: decision.rule, reason: decision.reason, deniedFor: member.id }));
      const who = member.id === caller.agent.id ? `Agent ${member.id}` : `Agent ${member.id} (on whose behalf ${caller.agent.id} acts)`;
      const code = decision.reason === "no_grant" ? RPC.toolNotAuthorized : RPC.argumentsNotAuthorized;
      const what = decision.reason === "no_grant" ? `may not call tool ${name} on ${serverId}` : `may not call ${name} with these arguments`;
      return rpcError(id, code, `${who} ${what}.`, { tool: name, rule: decision.rule, agent: member.id });
    }
  }
  deps.waitUntil(recordCall(deps.env, { ...base, decision: "allow" }));
  return null;
}

function filterTools(msg: RpcMessage, caller: AgentCaller, serverId: string): RpcMessage {
  const result = msg.result as { tools?: Array<{ name?: unknown }> } | undefined;
  if (!result || !Array.isArray(result.tools)) return msg;
  const tools = result.tools.filter((t) => typeof t.name === "string" && caller.chain.every((a) => mayListTool(a.policy, serverId, t.name as string)));
  return { ...msg, result: { ...result, tools } };
}

async function forward(msg: RpcMessage, caller: AgentCaller, server: RegisteredServer, deps: Deps): Promise<Response> {
  const id = msg.id ?? null;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    // The agent's token is never passed on (MCP forbids token passthrough); the upstream learns
    // who is calling from these headers, on a connection only the gateway makes.
    "x-switchyard-agent": caller.agent.id,
    "x-switchyard-trace": caller.trace,
    "mcp-protocol-version": "2025-06-18",
  };
  if (caller.session?.upstream) headers["mcp-session-id"] = caller.session.upstream;
  let upstream: Response;
  try {
    upstream = await upstreamFetch(deps.env, server.url, { method: "POST", headers, body: JSON.stringify(msg) });
  } catch (err) {
    if (err instanceof UpstreamRefused) return rpcError(id, RPC.upstreamError, `MCP server ${server.id}: ${err.message}.`, { reason: `upstream_${err.kind}` }, 502);
    return rpcError(id, RPC.upstreamError, `MCP server ${server.id} did not answer.`, undefined, 502);
  }
  const limit = upstreamMaxBytes(deps.env);
  const out = new Headers();
  const type = upstream.headers.get("content-type") ?? "";
  if (type) out.set("content-type", type);
  if (msg.method === "initialize" && upstream.ok) {
    const sid = `mcps_${crypto.randomUUID()}`;
    const stub = deps.env.DELEGATION.get(deps.env.DELEGATION.idFromName(`agent:${caller.agent.id}`));
    await stub.openSession(sid, server.id, upstream.headers.get("mcp-session-id"), SESSION_TTL_S, chainKey(caller));
    out.set("mcp-session-id", sid);
  }
  if (msg.method === "tools/list" && upstream.ok) {
    let body: string;
    try {
      body = await readUpstreamText(upstream, limit);
    } catch (err) {
      if (err instanceof UpstreamRefused) return rpcError(id, RPC.upstreamError, `MCP server ${server.id}: ${err.message}.`, { reason: `upstream_${err.kind}` }, 502);
      return rpcError(id, RPC.upstreamError, `MCP server ${server.id} did not finish its answer.`, undefined, 502);
    }
    if (type.includes("text/event-stream")) return new Response(mapSse(body, (m) => (m.id === id ? filterTools(m, caller, server.id) : m)), { status: upstream.status, headers: out });
    try {
      return new Response(JSON.stringify(filterTools(JSON.parse(body) as RpcMessage, caller, server.id)), { status: upstream.status, headers: out });
    } catch {
      return rpcError(id, RPC.upstreamError, `MCP server ${server.id} sent an unreadable tools/list.`, undefined, 502);
    }
  }
  // Everything else streams through untouched (SSE included), up to the byte ceiling.
  return new Response(boundedBody(upstream.body, limit), { status: upstream.status, headers: out });
}
