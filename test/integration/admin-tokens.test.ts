/**
 * Issue 16.13: admin JWTs must expire within 24 h, the HS256 secret must be long enough, and a
 * CR/LF in a DPoP proof's `alg` (or `htm`) is a clean 401, not a 500.
 */
import { env, SELF } from "cloudflare:test";
import { base64url, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { ADMIN_AUDIENCE, ADMIN_ISSUER, signAdminToken, verifyAdminToken } from "../../src/admin/auth";
import { ProblemError } from "../../src/errors/problem";
import { BASE } from "./helpers";
import { ensureTeam, mcp, mockServer, proof, registerAgent, tokenFor, uid } from "./agents-helpers";

const secret = () => new TextEncoder().encode(env.ADMIN_JWT_SECRET);
const base = () => new SignJWT({ role: "admin" }).setProtectedHeader({ alg: "HS256" }).setSubject("ops").setIssuer(ADMIN_ISSUER).setAudience(ADMIN_AUDIENCE);
const get = (token: string) => SELF.fetch(`${BASE}/admin/v1/teams`, { headers: { authorization: `Bearer ${token}` } });
const now = () => Math.floor(Date.now() / 1000);

describe("admin token lifetime", () => {
  it("refuses a token without exp", async () => {
    const res = await get(await base().setIssuedAt().sign(secret()));
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await res.json<{ detail: string }>()).detail).toContain("no exp");
  });
  it("refuses a token living longer than 24 h, from iat, nbf or now", async () => {
    expect((await get(await base().setIssuedAt().setExpirationTime("30d").sign(secret()))).status).toBe(401);
    expect((await get(await base().setNotBefore(now() - 10).setExpirationTime(now() + 25 * 3600).sign(secret()))).status).toBe(401);
    expect((await get(await base().setExpirationTime(now() + 2 * 86_400).sign(secret()))).status).toBe(401);
  });
  it("accepts a token within 24 h", async () => {
    expect((await get(await base().setIssuedAt().setExpirationTime("23h").sign(secret()))).status).toBe(200);
    expect((await get(await signAdminToken(env.ADMIN_JWT_SECRET!, { sub: "ops", role: "admin" }))).status).toBe(200);
  });
});

describe("admin secret length", () => {
  it("a secret under 32 bytes closes the admin plane with a 503 problem, and signs nothing", async () => {
    const short = "too-short-secret";
    const token = await new SignJWT({ role: "admin" }).setProtectedHeader({ alg: "HS256" }).setSubject("ops").setIssuer(ADMIN_ISSUER).setAudience(ADMIN_AUDIENCE).setIssuedAt().setExpirationTime("1h").sign(new TextEncoder().encode(short));
    const err = await verifyAdminToken(token, { secret: short }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProblemError);
    expect(err).toMatchObject({ status: 503 });
    await expect(signAdminToken(short, { sub: "ops", role: "admin" })).rejects.toBeInstanceOf(ProblemError);
  });
});

describe("DPoP proofs with control characters", () => {
  it("a CR/LF in alg or htm answers 401 with a valid challenge header", async () => {
    await ensureTeam("agents-team");
    const server = uid("crlf-srv");
    await mockServer(server, "db");
    const agent = await registerAgent(uid("crlf-agent"), { grants: [{ server, tool: "*" }] });
    const { access_token } = await tokenFor(agent.id);
    const header = base64url.encode(JSON.stringify({ alg: "ES256\r\nX-Injected: 1", typ: "dpop+jwt", jwk: agent.jwk }));
    const payload = base64url.encode(JSON.stringify({ htm: "POST", htu: `${BASE}/mcp/${server}`, jti: crypto.randomUUID(), iat: now() }));
    const badAlg = await mcp(agent, access_token, server, { jsonrpc: "2.0", id: 1, method: "tools/list" }, null, { proof: `${header}.${payload}.${base64url.encode("sig")}` });
    expect(badAlg.status).toBe(401);
    expect(badAlg.headers.get("www-authenticate")).toContain("invalid_dpop_proof");
    const badHtm = await mcp(agent, access_token, server, { jsonrpc: "2.0", id: 1, method: "tools/list" }, null, {
      proof: await proof(agent, "POST", `${BASE}/mcp/${server}`, access_token, { htm: "POST\r\nX-Injected: 1" }),
    });
    expect(badHtm.status).toBe(401);
  });
});
