/**
 * @module
 * DPoP proof checks (RFC 9449) as a function of the proof, the request and the clock. Replay is
 * not decided here: the caller records the returned `jti` in the agent's Durable Object, which is
 * the one place that sees every proof of that agent across isolates.
 */
import { base64url, calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from "jose";

/** Signature algorithms accepted for proofs; symmetric and `none` are never accepted. */
export const DPOP_ALGS = ["ES256", "ES384", "EdDSA", "Ed25519", "RS256", "PS256"] as const;
/** Clock skew tolerated on `iat`, both ways. */
export const DPOP_SKEW_S = 60;

/** A refusal with a machine-readable code and a sentence for people. */
export class AgentAuthError extends Error {
  constructor(readonly code: string, message: string, readonly status = 401) {
    super(message);
    this.name = "AgentAuthError";
  }
}

export interface ProofExpectation {
  method: string;
  /** The request URL; query and fragment are ignored as RFC 9449 §4.3 says. */
  url: string;
  /** The access token the proof must be bound to (`ath`); absent at the token endpoint. */
  accessToken?: string;
  /** Seconds since the epoch. */
  now: number;
}

export interface VerifiedProof {
  jti: string;
  /** RFC 7638 thumbprint of the key that signed the proof. */
  jkt: string;
  iat: number;
}

/** `htu` comparison ignores query and fragment (RFC 9449 §4.3, step 9). */
export function normalizeHtu(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** base64url(SHA-256(token)), the `ath` claim. */
export async function accessTokenHash(token: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))));
}

/**
 * A client-chosen value made safe to quote in an error message, which also travels in the
 * `www-authenticate` header: printable ASCII only (a CR/LF there made the header invalid and
 * the answer a 500), and short.
 * @example quotable("ES256\r\nx") === "ES256??x"
 */
function quotable(value: unknown): string {
  return String(value).replace(/[^\x20-\x7e]/g, "?").slice(0, 40);
}

/**
 * Verifies a DPoP proof JWT and returns its `jti` and key thumbprint, or throws AgentAuthError.
 * @example const p = await verifyDpopProof(header, { method: "POST", url, accessToken, now: Date.now() / 1000 });
 */
export async function verifyDpopProof(proof: string, expect: ProofExpectation): Promise<VerifiedProof> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw new AgentAuthError("invalid_dpop_proof", "The DPoP proof is not a JWS.");
  }
  if (header.typ !== "dpop+jwt") throw new AgentAuthError("invalid_dpop_proof", "The DPoP proof must have typ dpop+jwt.");
  if (!header.alg || !(DPOP_ALGS as readonly string[]).includes(header.alg)) throw new AgentAuthError("invalid_dpop_proof", `DPoP proof algorithm ${quotable(header.alg)} is not accepted.`);
  const jwk = header.jwk as JWK | undefined;
  if (!jwk || typeof jwk !== "object") throw new AgentAuthError("invalid_dpop_proof", "The DPoP proof must carry its public key in the jwk header.");
  if ("d" in jwk || "k" in jwk) throw new AgentAuthError("invalid_dpop_proof", "The DPoP proof header carries private key material.");
  let payload: Record<string, unknown>;
  try {
    const key = await importJWK(jwk, header.alg);
    // The proof's own iat is checked below with our skew; jose must not apply a max age here.
    ({ payload } = await jwtVerify(proof, key, { typ: "dpop+jwt", algorithms: [header.alg] }));
  } catch {
    throw new AgentAuthError("invalid_dpop_proof", "The DPoP proof signature does not verify.");
  }
  const { htm, htu, iat, jti, ath } = payload;
  if (typeof jti !== "string" || jti.length < 8 || jti.length > 256) throw new AgentAuthError("invalid_dpop_proof", "The DPoP proof needs a unique jti.");
  if (htm !== expect.method.toUpperCase()) throw new AgentAuthError("invalid_dpop_proof", `The DPoP proof is for method ${quotable(htm)}, not ${expect.method}.`);
  let htuOk = false;
  try {
    htuOk = typeof htu === "string" && normalizeHtu(htu) === normalizeHtu(expect.url);
  } catch {
    htuOk = false;
  }
  if (!htuOk) throw new AgentAuthError("invalid_dpop_proof", "The DPoP proof is for another URL (htu).");
  if (typeof iat !== "number" || !Number.isFinite(iat)) throw new AgentAuthError("invalid_dpop_proof", "The DPoP proof needs a numeric iat.");
  if (Math.abs(expect.now - iat) > DPOP_SKEW_S) throw new AgentAuthError("invalid_dpop_proof", `The DPoP proof iat is outside the allowed ${DPOP_SKEW_S}s clock skew.`);
  if (expect.accessToken !== undefined && ath !== (await accessTokenHash(expect.accessToken))) {
    throw new AgentAuthError("invalid_dpop_proof", "The DPoP proof is not bound to this access token (ath).");
  }
  return { jti, jkt: await calculateJwkThumbprint(jwk, "sha256"), iat };
}
