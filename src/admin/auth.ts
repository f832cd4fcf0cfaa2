/**
 * @module
 * Admin-plane authentication: a JWT verified with jose. Development signs with a local HS256
 * secret; production points ADMIN_JWKS_URL at the identity provider's key set. Only the listed
 * algorithms are accepted, so `alg: none` and algorithm-confusion tokens are refused.
 *
 * Every token must expire: `exp` is required and may lie at most {@link ADMIN_TOKEN_MAX_LIFETIME_S}
 * (24 h) after its `nbf`, else its `iat`, else now, so a leaked token is useful for a day at
 * most. An HS256 secret shorter than {@link MIN_ADMIN_SECRET_BYTES} (32 bytes, the HMAC-SHA-256
 * output size) is a configuration error: the admin plane answers 503 until it is fixed.
 */
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { ProblemError } from "../errors/problem";

export const Role = z.enum(["admin", "finance", "auditor", "team-owner"]);
export type Role = z.infer<typeof Role>;

export interface Principal {
  sub: string;
  role: Role;
  /** Set for team owners: the one team they may act on. */
  team?: string;
}

export const ADMIN_ISSUER = "switchyard";
export const ADMIN_AUDIENCE = "switchyard-admin";
/** The longest an admin token may live: 24 hours. */
export const ADMIN_TOKEN_MAX_LIFETIME_S = 24 * 3600;
/** Shortest accepted ADMIN_JWT_SECRET, in UTF-8 bytes. */
export const MIN_ADMIN_SECRET_BYTES = 32;

const encoder = new TextEncoder();

/**
 * The HS256 key, or a 503 problem when the secret is too short to be one.
 * @example hs256Key("a".repeat(32))
 */
function hs256Key(secret: string): Uint8Array {
  const key = encoder.encode(secret);
  if (key.byteLength < MIN_ADMIN_SECRET_BYTES) {
    throw new ProblemError(503, "Admin Auth Misconfigured", `ADMIN_JWT_SECRET must be at least ${MIN_ADMIN_SECRET_BYTES} bytes; the admin plane is closed until it is.`);
  }
  return key;
}

/**
 * Why a verified payload's lifetime is refused, or undefined: `exp` is required, and at most
 * {@link ADMIN_TOKEN_MAX_LIFETIME_S} after `nbf`, else `iat`, else `now` (seconds).
 * @example lifetimeProblem({ iat: 0, exp: 90_000 }, 10) // "lives 90000 s; the maximum is 86400 s"
 */
export function lifetimeProblem(payload: { exp?: unknown; iat?: unknown; nbf?: unknown }, now: number): string | undefined {
  if (typeof payload.exp !== "number") return "has no exp claim";
  const start = typeof payload.nbf === "number" ? payload.nbf : typeof payload.iat === "number" ? payload.iat : now;
  const lifetime = payload.exp - start;
  return lifetime > ADMIN_TOKEN_MAX_LIFETIME_S ? `lives ${lifetime} s; the maximum is ${ADMIN_TOKEN_MAX_LIFETIME_S} s` : undefined;
}

const Claims = z.object({
  sub: z.string().min(1).max(256),
  role: Role,
  team: z.string().min(1).max(64).optional(),
});

const jwksCache = new Map<string, JWTVerifyGetKey>();

/**
 * Verifies a bearer JWT and returns who is calling. Throws a 401 problem with the reason.
 * @example const who = await verifyAdminToken(token, { secret: env.ADMIN_JWT_SECRET });
 */
export async function verifyAdminToken(token: string, keys: { secret?: string; jwksUrl?: string }): Promise<Principal> {
  let payload: unknown;
  try {
    if (keys.jwksUrl) {
      let jwks = jwksCache.get(keys.jwksUrl);
      if (!jwks) jwksCache.set(keys.jwksUrl, (jwks = createRemoteJWKSet(new URL(keys.jwksUrl))));
      ({ payload } = await jwtVerify(token, jwks, { issuer: ADMIN_ISSUER, audience: ADMIN_AUDIENCE, algorithms: ["RS256", "ES256", "EdDSA"] }));
    } else if (keys.secret) {
      const key = hs256Key(keys.secret);
      ({ payload } = await jwtVerify(token, key, { issuer: ADMIN_ISSUER, audience: ADMIN_AUDIENCE, algorithms: ["HS256"] }));
    } else {
      throw new ProblemError(503, "Admin Auth Not Configured", "Set ADMIN_JWT_SECRET (development) or ADMIN_JWKS_URL (production).");
    }
  } catch (err) {
    if (err instanceof ProblemError) throw err;
    const code = (err as { code?: string }).code ?? "ERR_JWT_INVALID";
    throw new ProblemError(401, "Unauthorized", `Admin token rejected (${code}).`);
  }
  const lifetime = lifetimeProblem(payload as Record<string, unknown>, Math.floor(Date.now() / 1000));
  if (lifetime) throw new ProblemError(401, "Unauthorized", `Admin token rejected: it ${lifetime}.`);
  const claims = Claims.safeParse(payload);
  if (!claims.success) throw new ProblemError(401, "Unauthorized", "Admin token lacks a valid `sub` and `role` claim.");
  if (claims.data.role === "team-owner" && !claims.data.team) throw new ProblemError(401, "Unauthorized", "A team-owner token must name its `team`.");
  return claims.data;
}

/**
 * Signs an admin token with the development secret (demo credentials and tests). `ttl` is a
 * jose time span and must stay within 24 h, or the token is refused when used.
 * @example await signAdminToken("a-secret-of-at-least-32-bytes-....", { sub: "ops", role: "admin" })
 */
export async function signAdminToken(secret: string, principal: Principal, ttl = "1h"): Promise<string> {
  return new SignJWT({ role: principal.role, ...(principal.team ? { team: principal.team } : {}) })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(principal.sub)
    .setIssuer(ADMIN_ISSUER)
    .setAudience(ADMIN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(hs256Key(secret));
}

/** Refuses a principal whose role is not in `roles` (403). Admin may do everything. */
export function requireRole(principal: Principal, roles: readonly Role[]): void {
  if (principal.role === "admin" || roles.includes(principal.role)) return;
  throw new ProblemError(403, "Forbidden", `Role ${principal.role} may not do this; needs one of: admin, ${roles.join(", ")}.`);
}

/** Team owners may act only on their own team. */
export function requireTeamAccess(principal: Principal, team: string): void {
  if (principal.role === "team-owner" && principal.team !== team) {
    throw new ProblemError(403, "Forbidden", `Team owner of ${principal.team} may not act on team ${team}.`);
  }
}
