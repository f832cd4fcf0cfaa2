import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { accessTokenHash, AgentAuthError, verifyDpopProof } from "./dpop";

let priv: CryptoKey;
let jwk: JWK;
let otherPriv: CryptoKey;
const url = "https://gw.test/mcp/db";
const now = () => Math.floor(Date.now() / 1000);

async function proof(claims: Record<string, unknown>, opts: { key?: CryptoKey; header?: Record<string, unknown> } = {}): Promise<string> {
  return new SignJWT({ htm: "POST", htu: url, jti: crypto.randomUUID(), ...claims })
    .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk, ...opts.header })
    .setIssuedAt((claims.iat as number | undefined) ?? now())
    .sign(opts.key ?? priv);
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (err) {
    return err instanceof AgentAuthError ? err.code + ": " + err.message : String(err);
  }
}

beforeAll(async () => {
  const kp = await generateKeyPair("ES256", { extractable: true });
  priv = kp.privateKey;
  jwk = await exportJWK(kp.publicKey);
  otherPriv = (await generateKeyPair("ES256")).privateKey;
});

describe("verifyDpopProof", () => {
  it("accepts a good proof and returns jti and thumbprint", async () => {
    const token = "tok";
    const p = await proof({ ath: await accessTokenHash(token) });
    const v = await verifyDpopProof(p, { method: "POST", url: url + "?x=1", accessToken: token, now: now() });
    expect(v.jkt).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("refuses forged signatures, wrong typ, alg none and private keys in the header", async () => {
    expect(await code(verifyDpopProof(await proof({}, { key: otherPriv }), { method: "POST", url, now: now() }))).toMatch(/signature/);
    expect(await code(verifyDpopProof(await proof({}, { header: { typ: "JWT" } }), { method: "POST", url, now: now() }))).toMatch(/typ/);
    const none = `${btoa(JSON.stringify({ alg: "none", typ: "dpop+jwt", jwk }))}.${btoa(JSON.stringify({ htm: "POST", htu: url, iat: now(), jti: "abcdefghij" }))}.`;
    expect(await code(verifyDpopProof(none, { method: "POST", url, now: now() }))).toMatch(/invalid_dpop_proof/);
    expect(await code(verifyDpopProof(await proof({}, { header: { jwk: { ...jwk, d: "x" } } }), { method: "POST", url, now: now() }))).toMatch(/private/);
  });

  it("refuses wrong method, URL, stale or future iat, and missing or wrong ath", async () => {
    expect(await code(verifyDpopProof(await proof({ htm: "GET" }), { method: "POST", url, now: now() }))).toMatch(/method/);
    expect(await code(verifyDpopProof(await proof({ htu: "https://gw.test/mcp/other" }), { method: "POST", url, now: now() }))).toMatch(/htu/);
    expect(await code(verifyDpopProof(await proof({ iat: now() - 600 }), { method: "POST", url, now: now() }))).toMatch(/skew/);
    expect(await code(verifyDpopProof(await proof({ iat: now() + 600 }), { method: "POST", url, now: now() }))).toMatch(/skew/);
    expect(await code(verifyDpopProof(await proof({}), { method: "POST", url, accessToken: "t", now: now() }))).toMatch(/ath/);
    expect(await code(verifyDpopProof(await proof({ ath: await accessTokenHash("other") }), { method: "POST", url, accessToken: "t", now: now() }))).toMatch(/ath/);
    expect(await code(verifyDpopProof(await proof({ jti: "short" }), { method: "POST", url, now: now() }))).toMatch(/jti/);
  });

  it("refuses garbage", async () => {
    expect(await code(verifyDpopProof("not-a-jwt", { method: "POST", url, now: now() }))).toMatch(/JWS/);
  });
});
