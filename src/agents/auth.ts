/**
 * @module
 * Agent → gateway authentication for every agent-plane request: `Authorization: DPoP <token>` plus
 * a `DPoP` proof. The token must be ours and unexpired, the proof must be signed by the key the
 * token is bound to (so agent B cannot use agent A's token), that key must still be the acting
 * agent's registered key, the chain it carries must still be valid, and the proof's jti must be
 * new (checked in the acting agent's Durable Object, which every isolate shares).
 */
import type { Env } from "../env";
import { validateChain, chainOf } from "./chain";
import { AgentAuthError, verifyDpopProof } from "./dpop";
import { getAgentRegistry, type AgentRegistry, type RegisteredAgent } from "./registry";
import type { AgentTokenClaims } from "./schemas";
import { verifyAgentToken } from "./tokens";
import type { SessionRecord } from "../../durable-objects/delegation";

export interface AgentCaller {
  /** The acting agent (last in the chain). */
  agent: RegisteredAgent;
  /** Registered agents of the chain, originator first. */
  chain: RegisteredAgent[];
  trace: string;
  claims: AgentTokenClaims;
  proofJti: string;
  session: SessionRecord | null;
  registry: AgentRegistry;
}

/** Lifetime of a remembered jti: proofs older than the skew window are refused anyway. */
const JTI_MEMORY_S = 120;

/** Pulls the DPoP-scheme token out of Authorization. */
export function dpopToken(request: Request): string {
  const header = request.headers.get("authorization")?.trim() ?? "";
  const m = /^(\S+)\s+(\S+)$/.exec(header);
  if (!m) throw new AgentAuthError("invalid_request", "Send `Authorization: DPoP <agent token>` and a `DPoP` proof header.");
  if (m[1].toLowerCase() !== "dpop") throw new AgentAuthError("invalid_request", `Agent tokens are sender-constrained: use the DPoP scheme, not ${m[1]}.`);
  return m[2];
}

/** The single DPoP proof header (RFC 9449 §4.3 refuses more than one). */
export function dpopProof(request: Request): string {
  const proof = request.headers.get("dpop");
  if (!proof) throw new AgentAuthError("invalid_dpop_proof", "Missing DPoP proof header.");
  if (proof.includes(",")) throw new AgentAuthError("invalid_dpop_proof", "Exactly one DPoP proof header is allowed.");
  return proof.trim();
}

/** Resolves a chain of ids to registered agents, or explains why it is not valid now. */
export function resolveChain(registry: AgentRegistry, chain: readonly string[]): RegisteredAgent[] {
  const verdict = validateChain(chain, (id) => registry.agents.get(id)?.spec);
  if (!verdict.ok) throw new AgentAuthError(`chain_${verdict.reason}`, verdict.message, verdict.reason === "unregistered" ? 401 : 403);
  return chain.map((id) => registry.agents.get(id)!);
}

/**
 * Authenticates an agent request. `sessionId` is the gateway MCP session it names, if any.
 * @example const caller = await authenticateAgent(env, request, request.headers.get("mcp-session-id"));
 */
export async function authenticateAgent(env: Env, request: Request, sessionId: string | null = null): Promise<AgentCaller> {
  const token = dpopToken(request);
  const proof = dpopProof(request);
  const claims = await verifyAgentToken(env, token);
  const verified = await verifyDpopProof(proof, { method: request.method, url: request.url, accessToken: token, now: Date.now() / 1000 });
  if (verified.jkt !== claims.cnf.jkt) throw new AgentAuthError("invalid_token", "The token is bound to another key than the one that signed the DPoP proof.");
  const registry = await getAgentRegistry(env);
  const ids = chainOf(claims.sub, claims.act);
  const actorId = ids[ids.length - 1];
  const actor = registry.agents.get(actorId);
  if (!actor) throw new AgentAuthError("invalid_token", `Agent ${actorId} is not registered.`);
  if (actor.jkt !== claims.cnf.jkt) throw new AgentAuthError("invalid_token", `The token is bound to a key that is no longer agent ${actorId}'s registered key.`);
  const chain = resolveChain(registry, ids);
  const stub = env.DELEGATION.get(env.DELEGATION.idFromName(`agent:${actorId}`));
  const admitted = await stub.admit(verified.jti, Math.floor(Date.now() / 1000) + JTI_MEMORY_S, sessionId);
  if (!admitted.ok) {
    if (admitted.reason === "replayed") throw new AgentAuthError("invalid_dpop_proof", "The DPoP proof was already used (replay).");
    throw new AgentAuthError("unknown_session", "Unknown or expired Mcp-Session-Id for this agent; initialize a new session.", 404);
  }
  return { agent: actor, chain, trace: claims.txn, claims, proofJti: verified.jti, session: admitted.session, registry };
}
