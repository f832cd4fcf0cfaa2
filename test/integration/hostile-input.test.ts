/**
 * Hostile input: every case must be answered with a 4xx in the right envelope (OpenAI on the
 * data plane, RFC 9457 on the admin plane), never a 500 or a stack trace, and the gateway must
 * keep serving afterwards.
 *
 * Hostile cases of the security review (issue 16) live beside their controls: shared client
 * request ids (request-ids.test.ts), chunked and lying bodies on every plane
 * (body-limits.test.ts), redirected provider secrets and credentials in base_url
 * (provider-secrets.test.ts), admin tokens without exp or too long-lived and CR/LF in DPoP
 * proofs (admin-tokens.test.ts).
 */
import { SELF } from "cloudflare:test";
import { SignJWT, UnsecuredJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_AUDIENCE, ADMIN_ISSUER } from "../../src/admin/auth";
import { BASE, adminOk, adminToken, chat, createOrg, type TestOrg } from "./helpers";

let org: TestOrg;
beforeAll(async () => {
  org = await createOrg();
});

async function expectEnvelope(res: Response, status: number, code?: string) {
  expect(res.status).toBe(status);
  const text = await res.text();
  expect(text).not.toMatch(/\bat \S+:\d+:\d+|Error: /); // no stack traces
  const body = JSON.parse(text) as { error: { message: string; type: string; code: string | null } };
  expect(typeof body.error.message).toBe("string");
  if (code) expect(body.error.code).toBe(code);
  return body;
}

async function expectProblem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const body = (await res.json()) as { status: number; title: string };
  expect(body.status).toBe(status);
  return body;
}

const msg = [{ role: "user", content: "hi" }];
const deep = (n: number) => "[".repeat(n) + "]".repeat(n);

describe("data plane: malformed bodies", () => {
  it("rejects malformed JSON", async () => expectEnvelope(await chat(org.apiKey, "{not json"), 400));
  it("rejects an empty body", async () => expectEnvelope(await chat(org.apiKey, ""), 400));
  it("rejects a JSON array body", async () => expectEnvelope(await chat(org.apiKey, "[1,2,3]"), 400));
  it("rejects a JSON string body", async () => expectEnvelope(await chat(org.apiKey, '"hello"'), 400));
  it("rejects bodies over the limit by content-length", async () => {
    const big = JSON.stringify({ model: "sim-chat", messages: [{ role: "user", content: "x".repeat(4 * 1024 * 1024 + 10) }] });
    await expectEnvelope(await chat(org.apiKey, big), 413, "request_too_large");
  });
  it("rejects chunked bodies over the limit while streaming them in", async () => {
    const chunk = new Uint8Array(256 * 1024).fill(120);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 20) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const res = await SELF.fetch(`${BASE}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${org.apiKey}` }, body, duplex: "half" } as RequestInit);
    await expectEnvelope(res, 413, "request_too_large");
  });
  it("rejects absurd nesting", async () => expectEnvelope(await chat(org.apiKey, `{"model":"sim-chat","messages":${deep(5000)}}`), 400));
  it("rejects messages of the wrong type", async () => expectEnvelope(await chat(org.apiKey, { model: "sim-chat", messages: "hi" }), 400));
  it("rejects a numeric model", async () => expectEnvelope(await chat(org.apiKey, { model: 42, messages: msg }), 400));
  it("rejects an out-of-range temperature and names the param", async () => {
    const body = await expectEnvelope(await chat(org.apiKey, { model: "sim-chat", messages: msg, temperature: 5 }), 400);
    expect(body.error.message).toContain("temperature");
  });
  it("rejects an empty messages array", async () => expectEnvelope(await chat(org.apiKey, { model: "sim-chat", messages: [] }), 400));
  it("rejects an unknown role", async () => expectEnvelope(await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "root", content: "x" }] }), 400));
  it("rejects n beyond the ceiling", async () => expectEnvelope(await chat(org.apiKey, { model: "sim-chat", messages: msg, n: 1000 }), 400));
  it("rejects __proto__ keys (prototype pollution)", async () => {
    await expectEnvelope(await chat(org.apiKey, '{"model":"sim-chat","messages":[{"role":"user","content":"x"}],"__proto__":{"admin":true}}'), 400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
  it("rejects constructor.prototype keys", async () =>
    expectEnvelope(await chat(org.apiKey, '{"model":"sim-chat","messages":[{"role":"user","content":"x","constructor":{"prototype":{"x":1}}}]}'), 400));
  it("rejects invalid UTF-8 as a 400, not a crash", async () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]);
    const res = await SELF.fetch(`${BASE}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${org.apiKey}` }, body: bytes });
    await expectEnvelope(res, 400);
  });
  it("rejects an invalid x-data-class", async () => expectEnvelope(await chat(org.apiKey, { model: "sim-chat", messages: msg }, { "x-data-class": "secret" }), 400, "invalid_data_class"));
  it("does not echo a malformed x-request-id", async () => {
    const res = await chat(org.apiKey, { model: "sim-chat", messages: msg }, { "x-request-id": "<script>alert(1)</script>" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("x-client-request-id")).toBeNull();
  });
  it("answers unknown paths with a 404 envelope", async () => expectEnvelope(await SELF.fetch(`${BASE}/v1/nope`, { method: "POST" }), 404));
});

describe("data plane: credentials", () => {
  it("401 without Authorization", async () => {
    const res = await SELF.fetch(`${BASE}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "sim-chat", messages: msg }) });
    await expectEnvelope(res, 401, "missing_api_key");
  });
  it("401 for Basic auth", async () => {
    const res = await SELF.fetch(`${BASE}/v1/chat/completions`, { method: "POST", headers: { authorization: "Basic dXNlcjpwYXNz" }, body: "{}" });
    await expectEnvelope(res, 401);
  });
  it("401 for a forged key", async () => expectEnvelope(await chat("sk-sy-" + "A".repeat(40), { model: "sim-chat", messages: msg }), 401, "invalid_api_key"));
  it("401 for an absurdly long bearer token", async () => expectEnvelope(await chat("x".repeat(10_000), { model: "sim-chat", messages: msg }), 401));
  it("401 for a revoked key, at once on this edge", async () => {
    const other = await createOrg();
    expect((await chat(other.apiKey, { model: "sim-chat", messages: msg })).status).toBe(200);
    await adminOk("DELETE", `/keys/${other.keyId}`);
    await expectEnvelope(await chat(other.apiKey, { model: "sim-chat", messages: msg }), 401);
  });
  it("401 for an expired key", async () => {
    const other = await createOrg();
    const key = await adminOk<{ api_key: string }>("POST", "/keys", { workload: other.workload, expires_at: new Date(Date.now() + 1500).toISOString() });
    expect((await chat(key.api_key, { model: "sim-chat", messages: msg })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1700));
    await expectEnvelope(await chat(key.api_key, { model: "sim-chat", messages: msg }), 401, "expired_api_key");
  });
});

describe("admin plane: tokens and roles", () => {
  const get = (token: string) => SELF.fetch(`${BASE}/admin/v1/teams`, { headers: { authorization: `Bearer ${token}` } });
  it("401 for alg:none tokens", async () => {
    const token = new UnsecuredJWT({ role: "admin" }).setSubject("mallory").setIssuer(ADMIN_ISSUER).setAudience(ADMIN_AUDIENCE).encode();
    await expectProblem(await get(token), 401);
  });
  it("401 for a token signed with another secret", async () => {
    const token = await new SignJWT({ role: "admin" }).setProtectedHeader({ alg: "HS256" }).setSubject("mallory").setIssuer(ADMIN_ISSUER).setAudience(ADMIN_AUDIENCE).setExpirationTime("1h").sign(new TextEncoder().encode("not-the-secret-at-all-0123456789"));
    await expectProblem(await get(token), 401);
  });
  it("401 for an expired token", async () => {
    const { env } = await import("cloudflare:test");
    const token = await new SignJWT({ role: "admin" }).setProtectedHeader({ alg: "HS256" }).setSubject("ops").setIssuer(ADMIN_ISSUER).setAudience(ADMIN_AUDIENCE).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(new TextEncoder().encode(env.ADMIN_JWT_SECRET));
    await expectProblem(await get(token), 401);
  });
  it("401 for an unknown role claim", async () => {
    const { env } = await import("cloudflare:test");
    const token = await new SignJWT({ role: "superuser" }).setProtectedHeader({ alg: "HS256" }).setSubject("ops").setIssuer(ADMIN_ISSUER).setAudience(ADMIN_AUDIENCE).setExpirationTime("1h").sign(new TextEncoder().encode(env.ADMIN_JWT_SECRET));
    await expectProblem(await get(token), 401);
  });
  it("403 when finance tries to change a team", async () => {
    const res = await SELF.fetch(`${BASE}/admin/v1/teams/x`, { method: "PUT", headers: { authorization: `Bearer ${await adminToken({ sub: "fin", role: "finance" })}` }, body: JSON.stringify({ monthly_budget_usd: 1, rpm: 1, tpm: 1, residency: "us" }) });
    await expectProblem(res, 403);
  });
  it("403 when a team owner reads another team", async () => {
    const res = await SELF.fetch(`${BASE}/admin/v1/teams/${org.team}`, { headers: { authorization: `Bearer ${await adminToken({ sub: "owner", role: "team-owner", team: "someone-else" })}` } });
    await expectProblem(res, 403);
  });
  it("400 for unknown fields, bad ids and pollution keys", async () => {
    const token = await adminToken();
    const put = (path: string, body: string) => SELF.fetch(`${BASE}/admin/v1${path}`, { method: "PUT", headers: { authorization: `Bearer ${token}` }, body });
    await expectProblem(await put("/teams/ok-id", JSON.stringify({ monthly_budget_usd: 1, rpm: 1, tpm: 1, residency: "us", is_admin: true })), 400);
    await expectProblem(await put("/teams/Bad%20Id", JSON.stringify({ monthly_budget_usd: 1, rpm: 1, tpm: 1, residency: "us" })), 400);
    await expectProblem(await put("/teams/ok-id", '{"__proto__":{"x":1},"monthly_budget_usd":1,"rpm":1,"tpm":1,"residency":"us"}'), 400);
    await expectProblem(await put("/teams/ok-id", "{oops"), 400);
  });
});

describe("after all of that", () => {
  it("still serves normal traffic", async () => {
    const res = await chat(org.apiKey, { model: "sim-chat", messages: msg });
    expect(res.status).toBe(200);
  });
});
