/**
 * @module
 * Agent tokens: short-lived JWTs signed by the gateway (ES256), bound to the acting agent's key
 * (`cnf.jkt`, RFC 9449), carrying the delegation chain as nested `act` (RFC 8693) and the chain's
 * trace id as `txn`. The gateway key pair is one for every region (src/agents/gateway-keys.ts) and is cached
 * per isolate; its public half is published at /.well-known/jwks.json so agents can verify the
 * gateway's signatures on A2A responses.
 */
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { gatewayKeys, type GatewayKeyBindings } from "./gateway-keys";
import { actOf } from "./chain";
import { AgentAuthError } from "./dpop";
import { AgentTokenClaims, type AgentTokenClaims as Claims } from "./schemas";

export const AGENT_TOKEN_ISSUER = "switchyard";
export const AGENT_TOKEN_AUDIENCE = "switchyard-agent-plane";

export { gatewayKeys } from "./gateway-keys";

export interface IssueRequest {
  chain: readonly string[];
  jkt: string;
  txn: string;
  ttlSeconds: number;
}

/**
 * Signs an agent token for a chain (originator first; the last element is the acting agent).
 * @example await issueAgentToken(env, { chain: ["a", "b"], jkt, txn: "trc_1", ttlSeconds: 300 })
 */
export async function issueAgentToken(env: GatewayKeyBindings, req: IssueRequest): Promise<{ token: string; jti: string; exp: number }> {
  const keys = await gatewayKeys(env);
  const jti = `at_${crypto.randomUUID()}`;
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + req.ttlSeconds;
  const act = actOf(req.chain);
  const token = await new SignJWT({ cnf: { jkt: req.jkt }, txn: req.txn, ...(act ? { act } : {}) })
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: keys.kid })
    .setIssuer(AGENT_TOKEN_ISSUER)
    .setAudience(AGENT_TOKEN_AUDIENCE)
    .setSubject(req.chain[0])
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(keys.privateKey);
  return { token, jti, exp };
}

/**
 * Verifies an agent token's signature, issuer, audience, lifetime and claim shape.
 * Throws AgentAuthError with `token_expired` or `invalid_token`.
 */
export async function verifyAgentToken(env: GatewayKeyBindings, token: string): Promise<Claims> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw new AgentAuthError("invalid_token", "The agent token is not one this gateway issued (signature, issuer or audience do not verify).");
  }
  const keys = await gatewayKeys(env, kid);
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keys.publicKey, { issuer: AGENT_TOKEN_ISSUER, audience: AGENT_TOKEN_AUDIENCE, algorithms: ["ES256"], typ: "at+jwt" }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw new AgentAuthError("token_expired", "The agent token has expired.");
    throw new AgentAuthError("invalid_token", "The agent token is not one this gateway issued (signature, issuer or audience do not verify).");
  }
  const claims = AgentTokenClaims.safeParse(payload);
  if (!claims.success) throw new AgentAuthError("invalid_token", "The agent token lacks sub, cnf.jkt, txn or jti.");
  return claims.data;
}

/**
 * Signs a statement with the gateway key (A2A caller assertions and response signatures).
 * @example await signGatewayStatement(env, { sub: "callee", aud: "caller", body_sha256 }, 60)
 */
export async function signGatewayStatement(env: GatewayKeyBindings, claims: Record<string, unknown>, ttlSeconds: number, typ: string): Promise<string> {
  const keys = await gatewayKeys(env);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", typ, kid: keys.kid })
    .setIssuer(AGENT_TOKEN_ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(keys.privateKey);
}
