/**
 * @module
 * Home-edge processing for the agent plane (/mcp, /a2a, token exchange), the same rule as the
 * data plane's (src/routing/forward.ts): an agent's calls are processed by the edge of its team's
 * home zone, so its tool-call records, delegation traces, sessions and replay memory live there.
 *
 * A foreign edge authenticates against the global config before forwarding — the agent token
 * (signed with the global gateway key, src/agents/tokens.ts), the DPoP proof bound to it and to
 * the URL the client called, and the acting agent's registered key — but does not spend the
 * proof's jti: the home edge admits it, once. A request that does not authenticate is answered
 * here with the handler's usual 401, so nothing unauthenticated crosses zones.
 */
import type { MiddlewareHandler } from "hono";
import type { Env } from "../env";
import { readBodyText } from "../gateway/body";
import { routeToHome, type ForwardErrorAnswer, type TeamOf } from "../routing/forward";
import { chainOf } from "./chain";
import { dpopProof, dpopToken } from "./auth";
import { verifyDpopProof } from "./dpop";
import { RPC, rpcError } from "./jsonrpc";
import { getAgentRegistry } from "./registry";
import { verifyAgentToken } from "./tokens";

/** The exchange form carries two tokens and a few names (as in exchange.ts). */
const MAX_EXCHANGE_BODY_BYTES = 64 * 1024;

/** The acting agent's team, when token, proof and registered key agree; else undefined. */
async function actingTeam(env: Env, request: Request, token: string, boundToProof: boolean): Promise<string | undefined> {
  const claims = await verifyAgentToken(env, token);
  const proof = await verifyDpopProof(dpopProof(request), {
    method: request.method, url: request.url, accessToken: boundToProof ? token : undefined, now: Date.now() / 1000,
  });
  if (proof.jkt !== claims.cnf.jkt) return undefined;
  const ids = chainOf(claims.sub, claims.act);
  const actor = (await getAgentRegistry(env)).agents.get(ids[ids.length - 1]);
  return actor && actor.jkt === claims.cnf.jkt ? actor.team : undefined;
}

/**
 * The team an agent-plane request acts for: the acting agent's (last in the delegation chain);
 * at the token endpoint, the actor's (the agent that will act with the exchanged token).
 * @example await agentTeam(request, env, ctx) // "research"
 */
export const agentTeam: TeamOf = async (request, env) => {
  try {
    if (new URL(request.url).pathname === "/v1/agents/token-exchange") {
      // A clone: the handler (here or at home) reads the original body.
      const form = new URLSearchParams(await readBodyText(request.clone(), MAX_EXCHANGE_BODY_BYTES));
      const actorToken = form.get("actor_token");
      return actorToken ? await actingTeam(env, request, actorToken, false) : undefined;
    }
    return await actingTeam(env, request, dpopToken(request), true);
  } catch {
    return undefined; // not authenticated: the handler answers here, with its own 401
  }
};

const rpcAnswer: ForwardErrorAnswer = (status, code, message) => rpcError(null, RPC.upstreamError, message, { reason: code }, status);

const oauthAnswer: ForwardErrorAnswer = (status, code, message) =>
  new Response(JSON.stringify({ error: status === 413 ? "invalid_request" : "temporarily_unavailable", error_description: message, reason: code }), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });

/**
 * Middleware for the agent plane's authenticated routes: forwards to the home edge, or serves
 * here and names this region in `x-switchyard-region`. Unauthenticated GETs (agent cards) are
 * served wherever they land.
 */
export const agentHomeEdge: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS") return next();
  const answer = new URL(c.req.url).pathname === "/v1/agents/token-exchange" ? oauthAnswer : rpcAnswer;
  const routed = await routeToHome(c.req.raw, c.env, c.executionCtx, { teamOf: agentTeam, answer });
  if (routed instanceof Response) return routed;
  c.req.raw = routed;
  await next();
  // A fresh Response: handlers may return one whose headers are immutable.
  c.res = new Response(c.res.body, c.res);
  c.res.headers.set("x-switchyard-region", c.env.REGION);
};
