/**
 * @module
 * Agent-to-agent calls through /a2a/{callee}, with authentication both ways:
 * - caller → callee: the gateway verifies the caller (DPoP-bound token, see auth.ts), checks that
 *   it may delegate to the callee (chain rules), and forwards a short-lived assertion signed by the
 *   gateway (`x-switchyard-caller`, audience = callee, bound to the body hash) that the callee
 *   verifies with the gateway's public key;
 * - callee → caller: the answer carries `x-switchyard-signature`, a JWS by the gateway over the
 *   response body hash, the callee's identity, the caller and the caller's proof jti, so the caller
 *   can verify with /.well-known/jwks.json that this answer came from that callee for that request
 *   (a replayed or substituted answer fails).
 * Agent cards follow the A2A convention: /.well-known/agent-card.json for the gateway, and
 * /a2a/{agent}/.well-known/agent-card.json for each registered callee.
 */
import { base64url } from "jose";
import { DEFAULT_MAX_BODY_BYTES, readBodyText } from "../gateway/body";
import { authenticateAgent, type AgentCaller } from "./auth";
import { validateChain } from "./chain";
import { AgentAuthError } from "./dpop";
import { authErrorResponse, RPC, rpcError } from "./jsonrpc";
import type { Deps } from "./mcp";
import { getAgentRegistry, type RegisteredAgent } from "./registry";
import { gatewayKeys, signGatewayStatement } from "./tokens";
import { readUpstreamText, upstreamFetch, upstreamMaxBytes, UpstreamRefused } from "./upstream";

async function sha256b64u(text: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))));
}

const securitySchemes = { dpop: { type: "http", scheme: "DPoP", description: "Switchyard agent token (POST /admin/v1/agents/{id}/tokens or token exchange) with a DPoP proof (RFC 9449)." } };

function agentCard(origin: string, agent: RegisteredAgent) {
  const url = `${origin}/a2a/${agent.id}`;
  return {
    name: agent.id,
    description: agent.spec.purpose,
    version: String(agent.policyVersion),
    // A2A v1.0 lists interfaces; v0.3 readers look at url/protocolVersion/preferredTransport.
    supportedInterfaces: [{ url, protocolBinding: "JSONRPC", protocolVersion: "1.0" }],
    url,
    protocolVersion: "0.3.0",
    preferredTransport: "JSONRPC",
    provider: { organization: agent.team, url: origin },
    capabilities: { streaming: false, pushNotifications: false },
    securitySchemes,
    security: [{ dpop: [] }],
    defaultInputModes: ["application/json", "text/plain"],
    defaultOutputModes: ["application/json", "text/plain"],
    skills: agent.spec.skills.map((s) => ({ ...s, tags: [] })),
  };
}

/** The gateway's own card: it fronts every registered A2A agent, listed as skills. */
export async function gatewayCard(request: Request, deps: Deps): Promise<Response> {
  const origin = new URL(request.url).origin;
  const registry = await getAgentRegistry(deps.env);
  const callees = [...registry.agents.values()].filter((a) => a.spec.a2a_url);
  return Response.json({
    name: "Switchyard agent gateway",
    description: "Authenticated, policy-checked agent-to-agent calls. Responses are signed; keys at /.well-known/jwks.json.",
    version: deps.env.VERSION,
    supportedInterfaces: [{ url: `${origin}/a2a`, protocolBinding: "JSONRPC", protocolVersion: "1.0" }],
    url: `${origin}/a2a`,
    protocolVersion: "0.3.0",
    provider: { organization: "Switchyard", url: origin },
    capabilities: { streaming: false, pushNotifications: false },
    securitySchemes,
    security: [{ dpop: [] }],
    defaultInputModes: ["application/json"],
    defaultOutputModes: ["application/json"],
    skills: callees.map((a) => ({ id: a.id, name: a.id, description: a.spec.purpose, tags: ["agent"], agentCard: `${origin}/a2a/${a.id}/.well-known/agent-card.json` })),
  });
}

export async function calleeCard(request: Request, agentId: string, deps: Deps): Promise<Response> {
  const agent = (await getAgentRegistry(deps.env)).agents.get(agentId);
  if (!agent?.spec.a2a_url) return Response.json({ error: { message: `No A2A agent ${agentId}.` } }, { status: 404 });
  return Response.json(agentCard(new URL(request.url).origin, agent));
}

export async function jwks(deps: Deps): Promise<Response> {
  const keys = await gatewayKeys(deps.env);
  return Response.json({ keys: [keys.publicJwk] }, { headers: { "cache-control": "public, max-age=300" } });
}

/**
 * Proxies one A2A JSON-RPC call to a registered callee.
 * @example app.post("/a2a/:agent", (c) => handleA2a(c.req.raw, c.req.param("agent"), deps))
 */
export async function handleA2a(request: Request, calleeId: string, deps: Deps): Promise<Response> {
  let caller: AgentCaller;
  try {
    caller = await authenticateAgent(deps.env, request);
  } catch (err) {
    if (err instanceof AgentAuthError) return authErrorResponse(err);
    throw err;
  }
  const callee = caller.registry.agents.get(calleeId);
  if (!callee?.spec.a2a_url) return rpcError(null, RPC.unknownServer, `No A2A agent ${calleeId} is registered.`, undefined, 404);
  const chain = [...caller.chain.map((a) => a.id), calleeId];
  const verdict = validateChain(chain, (id) => caller.registry.agents.get(id)?.spec);
  if (!verdict.ok) return rpcError(null, RPC.delegationRefused, verdict.message, { reason: `chain_${verdict.reason}` }, 403);
  let body: string;
  try {
    body = await readBodyText(request, Number(deps.env.MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES));
  } catch {
    return rpcError(null, RPC.invalidRequest, "Body too large.", undefined, 413);
  }
  const bodyHash = await sha256b64u(body);
  const assertion = await signGatewayStatement(deps.env, { sub: caller.agent.id, aud: calleeId, txn: caller.trace, chain, body_sha256: bodyHash, jti: caller.proofJti }, 60, "a2a-caller+jwt");
  const trace = deps.env.DELEGATION.get(deps.env.DELEGATION.idFromName(`trace:${caller.trace}`));
  deps.waitUntil(trace.record({ ts: new Date().toISOString(), kind: "a2a_call", chain, depth: verdict.depth, jti: caller.proofJti, detail: { callee: calleeId } }));
  let upstream: Response;
  let answer: string;
  try {
    upstream = await upstreamFetch(deps.env, callee.spec.a2a_url, {
      method: "POST",
      headers: { "content-type": request.headers.get("content-type") ?? "application/json", "x-switchyard-caller": assertion, "x-switchyard-trace": caller.trace },
      body,
    });
    // Bounded: the gateway signs what it read, so it must read all of it, and never more than this.
    answer = await readUpstreamText(upstream, upstreamMaxBytes(deps.env));
  } catch (err) {
    if (err instanceof UpstreamRefused) return rpcError(null, RPC.upstreamError, `Agent ${calleeId}: ${err.message}.`, { reason: `upstream_${err.kind}` }, 502);
    return rpcError(null, RPC.upstreamError, `Agent ${calleeId} did not answer.`, undefined, 502);
  }
  const signature = await signGatewayStatement(
    deps.env,
    { sub: calleeId, aud: caller.agent.id, txn: caller.trace, req: caller.proofJti, status: upstream.status, body_sha256: await sha256b64u(answer) },
    300,
    "a2a-response+jwt",
  );
  return new Response(answer, {
    status: upstream.status,
    headers: { "content-type": upstream.headers.get("content-type") ?? "application/json", "x-switchyard-signature": signature, "x-switchyard-callee": calleeId },
  });
}
