/**
 * Issue 16.1 and 16.5: the gateway's own id keys every record of a request, the client's
 * `x-request-id` is a correlation field only, and restricted requests leave no client-sent text
 * in D1.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { admin, adminOk, chat, createOrg, eventually } from "./helpers";

type Row = Record<string, unknown>;

const rowsOf = (table: "usage_events" | "request_logs", clientId: string, n: number) =>
  eventually(async () => {
    const r = await env.DB.prepare(`SELECT * FROM ${table} WHERE client_request_id = ?`).bind(clientId).all<Row>();
    return r.results.length >= n ? r.results : undefined;
  });

describe("request ids: the gateway's id is the key, the client's is correlation only", () => {
  it("two requests of one team with the same x-request-id are both billed and logged", async () => {
    const org = await createOrg();
    const clientId = `dup-${org.team}`;
    const answers = await Promise.all(["first prompt", "second prompt"].map((content) => chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content }] }, { "x-request-id": clientId })));
    const ids = answers.map((r) => r.headers.get("x-request-id"));
    for (const r of answers) {
      expect(r.status).toBe(200);
      expect(r.headers.get("x-client-request-id")).toBe(clientId);
      await r.arrayBuffer();
    }
    expect(ids[0]).not.toBe(ids[1]);
    const usage = await rowsOf("usage_events", clientId, 2);
    expect(usage.map((u) => u.request_id).sort()).toEqual([...ids].sort());
    const logs = await rowsOf("request_logs", clientId, 2);
    expect(logs.map((u) => u.request_id).sort()).toEqual([...ids].sort());
    // The admin log list filters by the client's id.
    const listed = await adminOk<{ data: Array<{ request_id: string; client_request_id: string }> }>("GET", `/logs?client_request_id=${clientId}`);
    expect(listed.data.map((d) => d.request_id).sort()).toEqual([...ids].sort());
  });

  it("two teams with the same x-request-id each keep their own bodies, large ones in R2 included", { timeout: 30_000 }, async () => {
    const a = await createOrg();
    const b = await createOrg();
    const clientId = `shared-${a.team}`;
    // Above the queue's inline limit: each body is written to R2 whole, under a key from the id.
    const prompts = { a: `team a secret plan ${"a".repeat(110_000)}`, b: `team b other plan ${"b".repeat(110_000)}` };
    const ra = await chat(a.apiKey, { model: "sim-chat", messages: [{ role: "user", content: prompts.a }] }, { "x-request-id": clientId });
    await ra.arrayBuffer();
    const rb = await chat(b.apiKey, { model: "sim-chat", messages: [{ role: "user", content: prompts.b }] }, { "x-request-id": clientId });
    await rb.arrayBuffer();
    const [idA, idB] = [ra.headers.get("x-request-id")!, rb.headers.get("x-request-id")!];
    const logs = await rowsOf("request_logs", clientId, 2);
    expect(new Set(logs.map((l) => l.body_key)).size).toBe(2);
    expect(logs.map((l) => l.team).sort()).toEqual([a.team, b.team].sort());
    const body = async (id: string, team: string) => {
      const res = await admin("GET", `/logs/${id}/body`, undefined, { sub: "o", role: "team-owner", team });
      expect(res.status).toBe(200);
      return (await res.json<{ request: { messages: Array<{ content: string }> } }>()).request.messages[0].content;
    };
    expect(await body(idA, a.team)).toBe(prompts.a);
    expect(await body(idB, b.team)).toBe(prompts.b);
    // Neither team owner reaches the other's body, by either id.
    expect((await admin("GET", `/logs/${idB}/body`, undefined, { sub: "o", role: "team-owner", team: a.team })).status).toBe(403);
    expect((await admin("GET", `/logs/${clientId}/body`, undefined, { sub: "o", role: "team-owner", team: a.team })).status).toBe(404);
  });
});

/** Every row of every D1 table, as text, for a marker scan. */
async function allD1Text(): Promise<string> {
  const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'").all<{ name: string }>();
  let text = "";
  for (const { name } of tables.results) {
    const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all<Row>();
    text += `${name}:${JSON.stringify(rows.results)}\n`;
  }
  return text;
}

describe("restricted requests leave no client-sent text in D1", () => {
  it("neither the model string before the catalog check, tool names, user agent, agent header nor x-request-id", { timeout: 30_000 }, async () => {
    const org = await createOrg({ dataClass: "restricted" });
    const marker = `PLANTED${Date.now().toString(36)}`;
    const headers = { "x-request-id": `${marker}-rid`, "user-agent": `${marker}-ua/1.0`, "x-switchyard-agent": `${marker}-agent` };
    const tools = [{ type: "function", function: { name: `${marker}_tool`, parameters: { type: "object" } } }];
    const answered = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "hi" }], tools }, headers);
    expect(answered.status).toBe(200);
    await answered.arrayBuffer();
    const unknownModel = await chat(org.apiKey, { model: `${marker}-model`, messages: [{ role: "user", content: "hi" }], tools }, headers);
    expect(unknownModel.status).toBe(404);
    // A public workload's request declared restricted by header is restricted too.
    const pub = await createOrg();
    const declared = await chat(pub.apiKey, { model: `${marker}-model2`, messages: [{ role: "user", content: "hi" }], tools }, { ...headers, "x-data-class": "restricted" });
    expect(declared.status).toBe(404);
    await eventually(async () => {
      const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM usage_events WHERE team IN (?, ?)").bind(org.team, pub.team).first<{ n: number }>();
      const l = await env.DB.prepare("SELECT COUNT(*) AS n FROM request_logs WHERE team IN (?, ?)").bind(org.team, pub.team).first<{ n: number }>();
      return n!.n >= 3 && l!.n >= 3;
    });
    expect(await allD1Text()).not.toContain(marker);
    // Correlation still works: the stored hash of the client's id matches the admin filter.
    const listed = await adminOk<{ data: Array<{ team: string; client_request_id: string }> }>("GET", `/logs?client_request_id=${marker}-rid`);
    expect(listed.data.filter((d) => d.team === org.team)).toHaveLength(2);
    expect(listed.data[0].client_request_id).toMatch(/^sha256:[0-9a-f]{32}$/);
    const rows = await env.DB.prepare("SELECT model FROM usage_events WHERE team = ? ORDER BY status").bind(org.team).all<{ model: string | null }>();
    expect(rows.results.map((r) => r.model)).toEqual(["sim-chat", null]);
  });

  it("a public request keeps its facts for shadow-agent discovery", async () => {
    const org = await createOrg();
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "x" }] }, { "user-agent": "bot/2.0", "x-request-id": `pub-${org.team}` });
    await res.arrayBuffer();
    const [row] = await rowsOf("usage_events", `pub-${org.team}`, 1);
    expect(JSON.parse(String(row.detail)).user_agent).toBe("bot/2.0");
  });
});
