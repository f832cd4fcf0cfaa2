/**
 * @module
 * The agent plane's routes as one Hono sub-app, mounted by workers/app.ts: /mcp/{server},
 * /a2a/{agent}, agent cards and JWKS under /.well-known, and the RFC 8693 token endpoint. The
 * test-only mock upstreams are reachable at /__mock/* only when ENABLE_MOCKS=1.
 */
import { Hono } from "hono";
import type { Env } from "../env";
import { calleeCard, gatewayCard, handleA2a, jwks } from "./a2a";
import { handleTokenExchange } from "./exchange";
import { agentHomeEdge } from "./home";
import { RPC, rpcError } from "./jsonrpc";
import { handleMcp, type Deps } from "./mcp";
import { mockUpstreams } from "./mock-upstreams";
import { mocksEnabled } from "./upstream";

export const agentPlane = new Hono<{ Bindings: Env }>();

const deps = (c: { env: Env; executionCtx: { waitUntil(p: Promise<unknown>): void } }): Deps => ({ env: c.env, waitUntil: (p) => c.executionCtx.waitUntil(p) });

// Home-edge processing (src/agents/home.ts): an agent's calls are served by its team's zone.
for (const path of ["/a2a/:agent", "/mcp/:server", "/v1/agents/token-exchange"]) agentPlane.use(path, agentHomeEdge);

agentPlane.get("/.well-known/agent-card.json", (c) => gatewayCard(c.req.raw, deps(c)));
agentPlane.get("/.well-known/jwks.json", (c) => jwks(deps(c)));
agentPlane.get("/a2a/:agent/.well-known/agent-card.json", (c) => calleeCard(c.req.raw, c.req.param("agent"), deps(c)));
agentPlane.post("/a2a/:agent", (c) => handleA2a(c.req.raw, c.req.param("agent"), deps(c)));
agentPlane.all("/mcp/:server", (c) => handleMcp(c.req.raw, c.req.param("server"), deps(c)));
agentPlane.post("/v1/agents/token-exchange", (c) => handleTokenExchange(c.req.raw, deps(c)));

agentPlane.all("/__mock/*", (c) => (mocksEnabled(c.env) ? mockUpstreams.fetch(c.req.raw, c.env) : c.notFound()));

agentPlane.onError((err, c) => {
  // Never a stack trace and never the OpenAI envelope on MCP/A2A: those clients parse JSON-RPC.
  console.error("agent plane error", { path: new URL(c.req.url).pathname, error: err instanceof Error ? err.message : String(err) });
  return rpcError(null, RPC.upstreamError, "The gateway hit an unexpected error.", undefined, 500);
});
