import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { admin, eventually } from "./helpers";
import { ensureTeam, mcp, mockCalls, mockServer, openSession, registerAgent, tokenFor, uid, type TestAgent } from "./agents-helpers";

const SQL_RULE = "args.table in ['orders','products'] && !args.sql.contains(';') && sqlTables(args.sql).all(t, t in ['orders','products'])";
let db: string;
let sse: string;
let bot: TestAgent;
let token: string;

beforeAll(async () => {
  await ensureTeam("agents-team");
  db = uid("db");
  sse = uid("sse");
  await mockServer(db);
  await mockServer(sse, sse); // names starting with "sse" answer as text/event-stream
  bot = await registerAgent(uid("sql-bot"), {
    grants: [
      { server: db, tool: "query_db", when: SQL_RULE },
      { server: db, tool: "refund", when: "args.amount <= 100" },
      { server: sse, tool: "query_db", when: SQL_RULE },
    ],
  });
  token = (await tokenFor(bot.id)).access_token;
});

describe("MCP proxy", () => {
  it("issues its own session id, lists only granted tools, and forwards allowed calls", async () => {
    const sid = await openSession(bot, token, db);
    expect(sid).toMatch(/^mcps_/);
    const list = await mcp(bot, token, db, { jsonrpc: "2.0", id: 2, method: "tools/list" }, sid);
    expect(list.status).toBe(200);
    expect((list.body.result!.tools as Array<{ name: string }>).map((t) => t.name).sort()).toEqual(["query_db", "refund"]);
    const ok = await mcp(bot, token, db, { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "query_db", arguments: { table: "orders", sql: "select * from orders" } } }, sid);
    expect(ok.body.result).toBeDefined();
    const calls = await mockCalls(db);
    const call = calls.find((c) => c.method === "tools/call")!;
    expect(call.params!.arguments).toEqual({ table: "orders", sql: "select * from orders" });
    expect(call.session).toMatch(/^mock-/); // the upstream's own session, mapped by the gateway
    expect(call.headers.agent).toBe(bot.id);
  });

  it("refuses a tool with no grant and arguments outside the rule, never reaching the upstream, and audits the shape only", async () => {
    const sid = await openSession(bot, token, db);
    const before = (await mockCalls(db)).filter((c) => c.method === "tools/call").length;
    const shell = await mcp(bot, token, db, { jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "admin_shell", arguments: { cmd: "rm -rf /" } } }, sid);
    expect(shell.body.error).toMatchObject({ code: -32010 });
    const bad = await mcp(bot, token, db, { jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "query_db", arguments: { table: "users", sql: "select ssn from users" } } }, sid);
    expect(bad.body.error).toMatchObject({ code: -32011, data: { tool: "query_db", rule: SQL_RULE } });
    const refund = await mcp(bot, token, db, { jsonrpc: "2.0", id: 6, method: "tools/call", params: { name: "refund", arguments: { order_id: "o1", amount: 5000 } } }, sid);
    expect(refund.body.error?.code).toBe(-32011);
    expect((await mockCalls(db)).filter((c) => c.method === "tools/call").length).toBe(before);
    const row = await eventually(() =>
      env.DB.prepare("SELECT detail FROM audit_log WHERE action = 'agent.tool_call.denied' AND actor = ? AND resource LIKE '%/query_db'").bind(`agent:${bot.id}`).first<{ detail: string }>(),
    );
    const detail = JSON.parse(row.detail);
    expect(detail).toMatchObject({ agent: bot.id, tool: "query_db", rule: SQL_RULE, arg_shape: { table: "string", sql: "string" } });
    expect(row.detail).not.toContain("ssn");
    expect(row.detail).not.toContain("users\"");
  });

  it("refuses parameter smuggling: case tricks, look-alikes, nested and multi-statement SQL", async () => {
    const sid = await openSession(bot, token, db);
    const attempts: Array<Record<string, unknown>> = [
      { table: "ORDERS", sql: "select * from orders" },
      { table: "Orders", sql: "select * from orders" },
      { table: "\u043erders", sql: "select * from orders" },
      { table: "orders", sql: "select * from \u043erders" },
      { table: "orders", sql: "select * from orders join users on 1=1" },
      { table: "orders", sql: "select 1 from orders; drop table users" },
      { table: ["orders", "users"], sql: "select * from orders" },
      { table: { toString: "orders" }, sql: "select * from orders" },
      { sql: "select * from users" },
    ];
    const before = (await mockCalls(db)).length;
    for (const [i, args] of attempts.entries()) {
      const r = await mcp(bot, token, db, { jsonrpc: "2.0", id: 100 + i, method: "tools/call", params: { name: "query_db", arguments: args } }, sid);
      expect(r.body.error?.code, JSON.stringify(args)).toBe(-32011);
    }
    expect((await mockCalls(db)).length).toBe(before);
  });

  it("forwards exactly the arguments it checked (duplicate JSON keys cannot smuggle a second value)", async () => {
    const sid = await openSession(bot, token, db);
    // JSON.parse keeps the last duplicate; some parsers keep the first. The gateway forwards its own
    // re-serialisation, so the upstream sees "orders" only — the value the rule approved.
    const raw = '{"jsonrpc":"2.0","id":200,"method":"tools/call","params":{"name":"query_db","arguments":{"table":"users","sql":"select * from orders","table":"orders"}}}';
    const r = await mcp(bot, token, db, raw, sid);
    expect(r.body.result).toBeDefined();
    const last = (await mockCalls(db)).filter((c) => c.method === "tools/call").at(-1)!;
    expect(last.params!.arguments).toEqual({ table: "orders", sql: "select * from orders" });
  });

  it("filters tools/list and passes calls through on an SSE upstream", async () => {
    const sid = await openSession(bot, token, sse);
    const list = await mcp(bot, token, sse, { jsonrpc: "2.0", id: 2, method: "tools/list" }, sid);
    expect(list.headers.get("content-type")).toContain("text/event-stream");
    expect((list.body.result!.tools as Array<{ name: string }>).map((t) => t.name)).toEqual(["query_db"]);
    expect(list.text).toContain("notifications/progress");
    const ok = await mcp(bot, token, sse, { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "query_db", arguments: { table: "products", sql: "select * from products" } } }, sid);
    expect(ok.body.result).toBeDefined();
  });

  it("fails closed on methods outside the allow-list, batches, bad JSON and missing sessions", async () => {
    const sid = await openSession(bot, token, db);
    expect((await mcp(bot, token, db, { jsonrpc: "2.0", id: 1, method: "resources/read", params: { uri: "file:///etc/passwd" } }, sid)).body.error?.code).toBe(-32601);
    expect((await mcp(bot, token, db, [{ jsonrpc: "2.0", id: 1, method: "tools/list" }], sid)).status).toBe(400);
    expect((await mcp(bot, token, db, "{nope", sid)).status).toBe(400);
    expect((await mcp(bot, token, db, { jsonrpc: "2.0", id: 1, method: "tools/list" })).status).toBe(400);
    expect((await mcp(bot, token, db, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "query_db", arguments: "x" } }, sid)).body.error?.code).toBe(-32602);
    expect((await mcp(bot, token, "no-such-server", { jsonrpc: "2.0", id: 1, method: "tools/list" }, sid)).status).toBe(404);
  });

  it("keeps sessions per agent: another agent cannot ride a session id", async () => {
    const sid = await openSession(bot, token, db);
    const other = await registerAgent(uid("other"), { grants: [{ server: db, tool: "query_db" }] });
    const otherToken = (await tokenFor(other.id)).access_token;
    const r = await mcp(other, otherToken, db, { jsonrpc: "2.0", id: 1, method: "tools/list" }, sid);
    expect(r.status).toBe(404);
  });

  it("documents the agent admin routes in OpenAPI", async () => {
    const doc = (await (await admin("GET", "/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(doc.paths["/admin/v1/agents/{id}"].put).toBeDefined();
    expect(doc.paths["/admin/v1/access-reviews/{id}/items/{item}"].post).toBeDefined();
  });

  it("refuses a grant rule that does not compile, at registration", async () => {
    const res = await admin("PUT", `/agents/${uid("bad")}`, { team: "agents-team", purpose: "x", public_jwk: bot.jwk, grants: [{ server: db, tool: "q", when: "args.table ==" }] });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { title: string }).title).toBe("Invalid Grant Rule");
  });
});
