import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { purgeExpiredLogs } from "../../src/logging/writer";
import { admin, adminOk, chat, createOrg, eventually } from "./helpers";

const logRow = (rid: string) => eventually(() => env.DB.prepare("SELECT * FROM request_logs WHERE request_id = ?").bind(rid).first<Record<string, unknown>>());

describe("tiered logging", () => {
  it("public: full bodies in R2, metadata in D1; every body read is audited", async () => {
    const org = await createOrg();
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "public prompt text" }] }, { "x-request-id": `log-public-${org.team}` });
    const rid = res.headers.get("x-request-id")!;
    const answer = await res.json<{ choices: Array<{ message: { content: string } }> }>();
    const row = await logRow(rid);
    expect(row).toMatchObject({ data_class: "public", team: org.team, status: 200 });
    expect(row.body_key).toMatch(/^logs\/public\//);
    const body = await adminOk<{ request: { messages: Array<{ content: string }> }; response: { choices: Array<{ message: { content: string } }> } }>("GET", `/logs/${rid}/body`);
    expect(body.request.messages[0].content).toBe("public prompt text");
    expect(body.response.choices[0].message.content).toBe(answer.choices[0].message.content);
    const audited = await env.DB.prepare("SELECT actor FROM audit_log WHERE action = 'log.body.read' AND resource = ?").bind(`logs/${rid}`).first<{ actor: string }>();
    expect(audited?.actor).toBe("test-admin");
    const list = await adminOk<{ data: Array<{ request_id: string; has_body: boolean }> }>("GET", `/logs?team=${org.team}`);
    expect(list.data.find((d) => d.request_id === rid)?.has_body).toBe(true);
  });

  it("internal: bodies only for auditors and the owning team owner", async () => {
    const org = await createOrg({ dataClass: "internal" });
    const res = await chat(org.apiKey, { model: "sim-chat", stream: true, messages: [{ role: "user", content: "internal prompt" }] });
    await res.text();
    const rid = res.headers.get("x-request-id")!;
    const row = await logRow(rid);
    expect(row.body_key).toMatch(/^logs\/internal\//);
    expect((await admin("GET", `/logs/${rid}/body`)).status).toBe(403);
    expect((await admin("GET", `/logs/${rid}/body`, undefined, { sub: "f", role: "finance" })).status).toBe(403);
    expect((await admin("GET", `/logs/${rid}/body`, undefined, { sub: "o", role: "team-owner", team: "someone-else" })).status).toBe(403);
    const owner = await admin("GET", `/logs/${rid}/body`, undefined, { sub: "o", role: "team-owner", team: org.team });
    expect(owner.status).toBe(200);
    const body = await owner.json<{ response: { content: string } }>();
    expect(body.response.content.length).toBeGreaterThan(0);
    expect((await admin("GET", `/logs/${rid}/body`, undefined, { sub: "a", role: "auditor" })).status).toBe(200);
    const reads = await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'log.body.read' AND resource = ?").bind(`logs/${rid}`).first<{ n: number }>();
    expect(reads?.n).toBe(2);
  });

  it("restricted: metadata only, no body anywhere", async () => {
    const org = await createOrg({ dataClass: "restricted" });
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "restricted prompt" }] });
    await res.arrayBuffer();
    const rid = res.headers.get("x-request-id")!;
    const row = await logRow(rid);
    expect(row).toMatchObject({ data_class: "restricted", body_key: null, body_bytes: null, tokens_out: 12 });
    expect((await admin("GET", `/logs/${rid}/body`, undefined, { sub: "a", role: "auditor" })).status).toBe(404);
  });

  it("bodies too large for a queue message go to R2 directly", async () => {
    const org = await createOrg();
    const big = "lorem ipsum ".repeat(12_000);
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: big }] });
    await res.arrayBuffer();
    const rid = res.headers.get("x-request-id")!;
    const row = await logRow(rid);
    expect(Number(row.body_bytes)).toBeGreaterThan(100_000);
    const obj = await env.BLOBS.get(String(row.body_key));
    expect((await obj!.json<{ request: { messages: Array<{ content: string }> } }>()).request.messages[0].content).toBe(big);
  }, 30_000);

  it("retention purge deletes expired rows and their bodies", async () => {
    await env.BLOBS.put("logs/public/2020-01-01/old-1.json", "{}");
    await env.DB.prepare("INSERT INTO request_logs (request_id, ts, data_class, status, tokens_in, tokens_out, body_key, expires_at) VALUES ('old-1', '2020-01-01T00:00:00Z', 'public', 200, 1, 1, 'logs/public/2020-01-01/old-1.json', '2020-01-31T00:00:00Z')").run();
    expect(await purgeExpiredLogs(env, Date.now())).toBeGreaterThanOrEqual(1);
    expect(await env.DB.prepare("SELECT 1 FROM request_logs WHERE request_id = 'old-1'").first()).toBeNull();
    expect(await env.BLOBS.head("logs/public/2020-01-01/old-1.json")).toBeNull();
  });

  it("the restricted audit passes on clean stores and alerts on a planted violation", async () => {
    const clean = await admin("POST", "/audits/restricted", undefined, { sub: "a", role: "auditor" });
    expect(clean.status).toBe(201);
    expect((await clean.json<{ ok: boolean }>()).ok).toBe(true);
    await env.BLOBS.put("logs/restricted/2026-01-01/planted.json", "{}", { customMetadata: { data_class: "restricted" } });
    const bad = await (await admin("POST", "/audits/restricted", undefined, { sub: "a", role: "auditor" })).json<{ ok: boolean; violations: Array<{ location: string }> }>();
    expect(bad.ok).toBe(false);
    expect(bad.violations.map((v) => v.location)).toContain("logs/restricted/2026-01-01/planted.json");
    const latest = await (await admin("GET", "/audits/restricted", undefined, { sub: "a", role: "auditor" })).json<{ latest: { ok: boolean } }>();
    expect(latest.latest.ok).toBe(false);
    expect(await env.DB.prepare("SELECT 1 FROM alerts WHERE kind = 'restricted_content_found'").first()).not.toBeNull();
    await env.BLOBS.delete("logs/restricted/2026-01-01/planted.json");
    expect((await admin("GET", "/audits/restricted", undefined, { sub: "o", role: "team-owner", team: "x" })).status).toBe(403);
  });
});
