import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { admin, adminOk, chat, createOrg, eventually } from "./helpers";

const SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
const CARD = "4111 1111 1111 1111";

async function setWorkload(workload: string, patch: Record<string, unknown>) {
  const wl = await adminOk<Record<string, unknown>>("GET", `/workloads/${workload}`);
  const { id: _id, updated_at: _u, ...spec } = wl;
  await adminOk("PUT", `/workloads/${workload}`, { ...spec, ...patch });
}

describe("DLP on the hot path", () => {
  it("blocks a credential with a 403 naming the type, never the value", async () => {
    const org = await createOrg();
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: `deploy with key ${SECRET} now` }] });
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text).error).toMatchObject({ code: "dlp_blocked", type: "permission_error" });
    expect(JSON.parse(text).error.message).toContain("SECRET");
  });

  it("redacts before the provider: the logged request carries the placeholder", async () => {
    const org = await createOrg();
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: `card ${CARD} please` }] });
    expect(res.status).toBe(200);
    const rid = res.headers.get("x-request-id")!;
    await res.arrayBuffer();
    const row = await eventually(() => env.DB.prepare("SELECT body_key, dlp_types FROM request_logs WHERE request_id = ?").bind(rid).first<{ body_key: string; dlp_types: string }>());
    const body = await (await env.BLOBS.get(row.body_key))!.text();
    expect(body).toContain("[CREDIT_CARD]");
    expect(body).not.toContain(CARD);
    expect(JSON.parse(row.dlp_types)).toContain("CREDIT_CARD");
  });

  it("raises the class: an email makes a public request internal", async () => {
    const org = await createOrg();
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "write to jane.doe@acme.io" }] });
    expect(res.headers.get("x-switchyard-data-class")).toBe("internal");
    await res.arrayBuffer();
    // The declared header can raise too, never lower.
    const declared = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "x" }] }, { "x-data-class": "restricted" });
    expect(declared.headers.get("x-switchyard-data-class")).toBe("restricted");
    await declared.arrayBuffer();
    const internal = await createOrg({ dataClass: "internal" });
    const lower = await chat(internal.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "x" }] }, { "x-data-class": "public" });
    expect(lower.headers.get("x-switchyard-data-class")).toBe("internal");
    await lower.arrayBuffer();
  });

  it("per-workload policy: a type can be switched to block, and a raise to restricted changes routing", async () => {
    const org = await createOrg();
    await setWorkload(org.workload, { dlp: { actions: { EMAIL_ADDRESS: "block" } } });
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "mail jane.doe@acme.io" }] });
    expect(res.status).toBe(403);
    expect((await res.json<{ error: { message: string } }>()).error.message).toContain("EMAIL_ADDRESS");
    await setWorkload(org.workload, { dlp: { actions: { EMAIL_ADDRESS: { action: "raise", to: "restricted" } } } });
    const raised = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "mail jane.doe@acme.io" }] });
    expect(raised.headers.get("x-switchyard-data-class")).toBe("restricted");
    expect(raised.headers.get("x-switchyard-route")).toContain("residency");
    await raised.arrayBuffer();
    // Embeddings model is not approved for restricted: the raised class makes it ineligible.
    const { SELF } = await import("cloudflare:test");
    const emb = await SELF.fetch("https://gateway.test/v1/embeddings", { method: "POST", headers: { authorization: `Bearer ${org.apiKey}` }, body: JSON.stringify({ model: "sim-embed", input: "mail jane.doe@acme.io" }) });
    expect(emb.status).toBe(403);
    expect((await emb.json<{ error: { code: string } }>()).error.code).toBe("data_class_not_allowed");
  }, 30_000);

  it("scans responses too, JSON and streamed, without breaking the stream", async () => {
    const org = await createOrg();
    // A custom type that matches every lower-case word the simulated model says.
    await setWorkload(org.workload, { dlp: { custom: [{ type: "WORD", pattern: "\\b[a-z]+\\b", action: "redact", score: 0.9 }] } });
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "HELLO" }] });
    expect(res.status).toBe(200);
    const content = (await res.json<{ choices: Array<{ message: { content: string } }> }>()).choices[0].message.content;
    expect(content.replace(/\[WORD\]/g, "").trim().replace(/\s+/g, "")).toBe("");
    const stream = await chat(org.apiKey, { model: "sim-chat", stream: true, messages: [{ role: "user", content: "HELLO" }] });
    const text = await stream.text();
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    const streamed = text.split("\n\n").filter((e) => e.startsWith("data: {")).map((e) => JSON.parse(e.slice(6)))
      .flatMap((c: { choices: Array<{ delta: { content?: string } }> }) => c.choices.map((ch) => ch.delta.content ?? "")).join("");
    expect(streamed).toBe(content);
  }, 30_000);

  it("POST /admin/v1/dlp/scan returns findings without values; bad input is 400", async () => {
    const res = await adminOk<{ findings: Array<{ type: string; start: number; end: number; score: number }> }>("POST", "/dlp/scan", { text: `mail jane.doe@acme.io or key ${SECRET}` });
    expect(res.findings.map((f) => f.type).sort()).toEqual(["EMAIL_ADDRESS", "SECRET"]);
    expect(JSON.stringify(res)).not.toContain("jane.doe");
    const f = res.findings.find((x) => x.type === "EMAIL_ADDRESS")!;
    expect(f.start).toBe(5);
    expect(f.end).toBe(5 + "jane.doe@acme.io".length);
    expect((await admin("POST", "/dlp/scan", { text: 5 })).status).toBe(400);
    expect((await admin("POST", "/dlp/scan", { text: "x", workload: "nope" })).status).toBe(404);
  });
});
