/**
 * @module
 * Test-only upstreams, mounted at /__mock/* only when ENABLE_MOCKS=1 (see upstream.ts for why).
 * - `/__mock/mcp/{name}`: an MCP server (Streamable HTTP). Names starting with `sse` answer
 *   requests as text/event-stream, others as JSON. It hands out an Mcp-Session-Id on initialize
 *   and insists on it afterwards (names starting with `ssehold` send a tools/call's progress event
 *   at once and hold its result until POST .../release, so tests can see a stream pass unbuffered),
 *   and records every request so tests can prove a refused call
 *   never arrived.
 * - `/__mock/a2a/{name}`: an A2A agent answering `message/send`, which checks the gateway's
 *   caller assertion with the gateway's public key (the callee side of mutual authentication).
 * - Hostile upstreams for the bounds: a name starting with `huge` answers 5 MiB (more than the
 *   default ceiling), one starting with `redirect` answers 302 to the cloud metadata address.
 */
import { Hono } from "hono";
import { jwtVerify } from "jose";
import type { Env } from "../env";
import { AGENT_TOKEN_ISSUER, gatewayKeys } from "./tokens";

interface Recorded {
  method: string;
  params: unknown;
  session: string | null;
  headers: Record<string, string>;
}

/** Per-isolate record of what each mock received; tests read it via GET .../calls. */
const received = new Map<string, Recorded[]>();

export const MOCK_TOOLS = [
  { name: "query_db", description: "Run a SQL query", inputSchema: { type: "object", properties: { table: { type: "string" }, sql: { type: "string" } } } },
  { name: "send_email", description: "Send an e-mail", inputSchema: { type: "object", properties: { to: { type: "array", items: { type: "string" } }, subject: { type: "string" } } } },
  { name: "read_file", description: "Read a file", inputSchema: { type: "object", properties: { path: { type: "string" } } } },
  { name: "refund", description: "Refund an order", inputSchema: { type: "object", properties: { order_id: { type: "string" }, amount: { type: "number" } } } },
  { name: "admin_shell", description: "Run a shell command", inputSchema: { type: "object", properties: { cmd: { type: "string" } } } },
];

type RpcMessage = { jsonrpc: "2.0"; id?: string | number | null; method?: string; params?: Record<string, unknown> };

function answer(msg: RpcMessage): unknown {
  switch (msg.method) {
    case "initialize":
      return { protocolVersion: "2025-06-18", capabilities: { tools: { listChanged: false } }, serverInfo: { name: "mock-mcp", version: "1.0.0" } };
    case "tools/list":
      return { tools: MOCK_TOOLS };
    case "tools/call":
      return { content: [{ type: "text", text: JSON.stringify({ tool: msg.params?.name, arguments: msg.params?.arguments }) }], isError: false };
    case "ping":
      return {};
    default:
      return undefined;
  }
}

export const mockUpstreams = new Hono<{ Bindings: Env }>();

/** Held `ssehold*` streams, released by POST /__mock/mcp/{name}/release (per isolate). */
const held = new Map<string, Array<() => void>>();

mockUpstreams.post("/__mock/mcp/:name/release", (c) => {
  const waiting = held.get(c.req.param("name")) ?? [];
  held.delete(c.req.param("name"));
  for (const release of waiting) release();
  return c.json({ released: waiting.length });
});

/** SSE whose first event goes out at once and whose last waits for a release. */
function heldStream(name: string, first: string, last: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(first));
      held.set(name, [...(held.get(name) ?? []), () => (controller.enqueue(encoder.encode(last)), controller.close())]);
    },
  });
}

mockUpstreams.get("/__mock/mcp/:name/calls", (c) => c.json({ calls: received.get(c.req.param("name")) ?? [] }));

/** 5 MiB of JSON-ish bytes, streamed without a content-length, so only counting can stop it. */
function hugeAnswer(): Response {
  const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= 80) return controller.close();
      sent++;
      controller.enqueue(chunk);
    },
  });
  return new Response(body, { headers: { "content-type": "application/json" } });
}

function hostile(name: string): Response | null {
  if (name.startsWith("huge")) return hugeAnswer();
  if (name.startsWith("redirect")) return new Response(null, { status: 302, headers: { location: "http://169.254.169.254/latest/meta-data/" } });
  return null;
}

mockUpstreams.post("/__mock/mcp/:name", async (c) => {
  const name = c.req.param("name");
  const bad = hostile(name);
  if (bad) return bad;
  const msg = (await c.req.json()) as RpcMessage;
  const session = c.req.header("mcp-session-id") ?? null;
  const list = received.get(name) ?? [];
  received.set(name, list);
  list.push({ method: msg.method ?? "(response)", params: msg.params ?? null, session, headers: { agent: c.req.header("x-switchyard-agent") ?? "", trace: c.req.header("x-switchyard-trace") ?? "" } });
  if (msg.method !== "initialize" && !session) return c.json({ jsonrpc: "2.0", id: msg.id ?? null, error: { code: -32600, message: "Mcp-Session-Id required" } }, 400);
  if (msg.id === undefined) return c.body(null, 202);
  const result = answer(msg);
  const body = result === undefined ? { jsonrpc: "2.0", id: msg.id, error: { code: -32601, message: "Method not found" } } : { jsonrpc: "2.0", id: msg.id, result };
  const headers: Record<string, string> = msg.method === "initialize" ? { "mcp-session-id": `mock-${crypto.randomUUID()}` } : {};
  if (name.startsWith("sse")) {
    // A progress notification first, as real servers stream them before the result.
    const events = [`event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { progress: 1 } })}\n\n`, `event: message\ndata: ${JSON.stringify(body)}\n\n`];
    if (name.startsWith("ssehold") && msg.method === "tools/call") {
      return new Response(heldStream(name, events[0], events[1]), { headers: { ...headers, "content-type": "text/event-stream" } });
    }
    return new Response(events.join(""), { headers: { ...headers, "content-type": "text/event-stream" } });
  }
  return c.json(body, 200, headers);
});

mockUpstreams.post("/__mock/a2a/:name", async (c) => {
  const bad = hostile(c.req.param("name"));
  if (bad) return bad;
  const msg = (await c.req.json()) as RpcMessage;
  const assertion = c.req.header("x-switchyard-caller") ?? "";
  let caller: string | null = null;
  try {
    const { payload } = await jwtVerify(assertion, (await gatewayKeys(c.env)).publicKey, { issuer: AGENT_TOKEN_ISSUER, audience: c.req.param("name"), typ: "a2a-caller+jwt" });
    caller = typeof payload.sub === "string" ? payload.sub : null;
  } catch {
    return c.json({ jsonrpc: "2.0", id: msg.id ?? null, error: { code: -32001, message: "caller assertion does not verify" } }, 401);
  }
  return c.json({ jsonrpc: "2.0", id: msg.id ?? null, result: { kind: "message", role: "agent", messageId: crypto.randomUUID(), parts: [{ kind: "text", text: `hello ${caller} from ${c.req.param("name")}` }] } });
});
