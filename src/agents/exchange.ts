/**
 * @module
 * RFC 8693 token exchange at POST /v1/agents/token-exchange: agent B, holding its own token
 * (`actor_token`) and proving possession of its key with a DPoP proof, presents a token it was
 * handed (`subject_token`, for A or for a chain ending in A) and receives a token to act for that
 * subject: same `sub`, same trace `txn`, the chain one `act` level deeper, bound to B's key, and
 * never outliving the subject token. Every hop is re-validated against the registry.
 *
 * Errors are OAuth error JSON (RFC 6749 §5.2, which RFC 8693 §2.2.2 reuses), not the OpenAI
 * envelope: callers of a token endpoint are OAuth clients and parse `error`. Bad parameters and
 * refused grants (cycles, depth, delegation not allowed, bad subject token) are 400 as OAuth
 * requires; a forged, expired, replayed or unbound actor credential is 401.
 */
import type { Env } from "../env";
import { audit } from "../config/store";
import { chainOf, validateChain } from "./chain";
import { AgentAuthError, verifyDpopProof } from "./dpop";
import { getAgentRegistry } from "./registry";
import { issueAgentToken, verifyAgentToken } from "./tokens";
import type { Deps } from "./mcp";
import { GatewayError } from "../errors/openai";
import { readBodyText } from "../gateway/body";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
const ACCEPTED_TOKEN_TYPES = new Set([ACCESS_TOKEN_TYPE, "urn:ietf:params:oauth:token-type:jwt"]);
const EXCHANGED_TTL_S = 300;
/** A token-exchange form holds two tokens and a few names: 64 KB is generous. */
const MAX_EXCHANGE_BODY_BYTES = 64 * 1024;

function oauthError(status: number, error: string, description: string, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error, error_description: description, ...extra }), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...(status === 401 ? { "www-authenticate": `DPoP error="${error}"` } : {}) },
  });
}

/**
 * @example app.post("/v1/agents/token-exchange", (c) => handleTokenExchange(c.req.raw, deps))
 */
export async function handleTokenExchange(request: Request, deps: Deps): Promise<Response> {
  const env: Env = deps.env;
  if (!(request.headers.get("content-type") ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    return oauthError(400, "invalid_request", "Send the parameters as application/x-www-form-urlencoded (RFC 8693 §2.1).");
  }
  let form: URLSearchParams;
  try {
    // Bounded while reading (unauthenticated endpoint): at most 64 KB is ever held.
    form = new URLSearchParams(await readBodyText(request, MAX_EXCHANGE_BODY_BYTES));
  } catch (err) {
    if (err instanceof GatewayError && err.status === 413) return oauthError(413, "invalid_request", `Request body is larger than ${MAX_EXCHANGE_BODY_BYTES} bytes.`);
    return oauthError(400, "invalid_request", "Unreadable form body.");
  }
  if (form.get("grant_type") !== TOKEN_EXCHANGE_GRANT) return oauthError(400, "unsupported_grant_type", `grant_type must be ${TOKEN_EXCHANGE_GRANT}.`);
  const subjectToken = form.get("subject_token");
  const actorToken = form.get("actor_token");
  if (!subjectToken || !actorToken) return oauthError(400, "invalid_request", "subject_token and actor_token are both required: the actor is the agent that will act.");
  for (const p of ["subject_token_type", "actor_token_type"]) {
    const t = form.get(p);
    if (!t || !ACCEPTED_TOKEN_TYPES.has(t)) return oauthError(400, "invalid_request", `${p} must be ${ACCESS_TOKEN_TYPE}.`);
  }
  const requested = form.get("requested_token_type");
  if (requested && requested !== ACCESS_TOKEN_TYPE) return oauthError(400, "invalid_request", `Only ${ACCESS_TOKEN_TYPE} can be issued.`);

  // The actor: its own token, and a fresh proof by the key that token is bound to.
  let actorId: string;
  let actorJkt: string;
  let proofJti: string;
  try {
    const actor = await verifyAgentToken(env, actorToken);
    if (actor.act) throw new AgentAuthError("invalid_token", "actor_token must be the actor's own token, not a delegated one.");
    const proof = request.headers.get("dpop");
    if (!proof || proof.includes(",")) throw new AgentAuthError("invalid_dpop_proof", "Exactly one DPoP proof header is required.");
    const verified = await verifyDpopProof(proof, { method: "POST", url: request.url, now: Date.now() / 1000 });
    if (verified.jkt !== actor.cnf.jkt) throw new AgentAuthError("invalid_token", "actor_token is bound to another key than the one that signed the DPoP proof.");
    actorId = actor.sub;
    actorJkt = actor.cnf.jkt;
    proofJti = verified.jti;
  } catch (err) {
    if (err instanceof AgentAuthError) return oauthError(401, err.code, err.message);
    throw err;
  }
  const registry = await getAgentRegistry(env);
  const actorAgent = registry.agents.get(actorId);
  if (!actorAgent) return oauthError(401, "invalid_token", `Agent ${actorId} is not registered.`);
  if (actorAgent.jkt !== actorJkt) return oauthError(401, "invalid_token", `actor_token is bound to a key that is no longer agent ${actorId}'s registered key.`);
  const admitted = await env.DELEGATION.get(env.DELEGATION.idFromName(`agent:${actorId}`)).admit(proofJti, Math.floor(Date.now() / 1000) + 120, null);
  if (!admitted.ok) return oauthError(401, "invalid_dpop_proof", "The DPoP proof was already used (replay).");

  let subject;
  try {
    subject = await verifyAgentToken(env, subjectToken);
  } catch (err) {
    if (err instanceof AgentAuthError) return oauthError(400, "invalid_grant", `subject_token: ${err.message}`);
    throw err;
  }
  const chain = [...chainOf(subject.sub, subject.act), actorId];
  const verdict = validateChain(chain, (id) => registry.agents.get(id)?.spec);
  if (!verdict.ok) {
    deps.waitUntil(audit(env, { actor: `agent:${actorId}`, action: "agent.token_exchange.denied", resource: `delegations/${subject.txn}`, detail: { chain, reason: verdict.reason, message: verdict.message } }));
    return oauthError(400, "invalid_grant", verdict.message, { reason: `chain_${verdict.reason}` });
  }
  const ttl = Math.max(1, Math.min(EXCHANGED_TTL_S, subject.exp - Math.floor(Date.now() / 1000)));
  const issued = await issueAgentToken(env, { chain, jkt: actorJkt, txn: subject.txn, ttlSeconds: ttl });
  const trace = env.DELEGATION.get(env.DELEGATION.idFromName(`trace:${subject.txn}`));
  await trace.record({ ts: new Date().toISOString(), kind: "exchanged", chain, depth: verdict.depth, jti: issued.jti, exp: issued.exp, detail: { subject_jti: subject.jti } });
  deps.waitUntil(audit(env, { actor: `agent:${actorId}`, action: "agent.token_exchange", resource: `delegations/${subject.txn}`, detail: { chain, depth: verdict.depth, jti: issued.jti } }));
  return new Response(JSON.stringify({ access_token: issued.token, issued_token_type: ACCESS_TOKEN_TYPE, token_type: "DPoP", expires_in: ttl, txn: subject.txn }), {
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}
