/**
 * @module
 * The Hono app: routes only. Data plane under /v1, control plane under /admin/v1.
 */
import { Hono } from "hono";
import { adminRoutes } from "../src/admin";
import { agentPlane } from "../src/agents/http";
import { adminError, mountAdminRoutes, openApiDocument } from "../src/admin/router";
import type { Env } from "../src/env";
import { GatewayError, errorResponse } from "../src/errors/openai";
import { ProblemError } from "../src/errors/problem";
import { handleChat } from "../src/gateway/chat";
import { handleEmbeddings, handleModels } from "../src/gateway/embeddings";
import { maybeForward } from "../src/routing/forward";

export const app = new Hono<{ Bindings: Env }>();

const deps = (c: { env: Env; executionCtx: { waitUntil(p: Promise<unknown>): void } }) => ({ env: c.env, ctx: c.executionCtx });

app.get("/healthz", (c) => c.json({ status: "ok", region: c.env.REGION, version: c.env.VERSION }));

// Residency forwarding runs before the pipeline reads the body (src/routing/forward.ts).
for (const path of ["/v1/chat/completions", "/v1/embeddings", "/v1/models"]) {
  app.use(path, async (c, next) => (await maybeForward(c.req.raw, c.env, c.executionCtx)) ?? next());
}

app.post("/v1/chat/completions", (c) => handleChat(c.req.raw, deps(c)));
app.post("/v1/embeddings", (c) => handleEmbeddings(c.req.raw, deps(c)));
app.get("/v1/models", (c) => handleModels(c.req.raw, deps(c)));

app.get("/admin/v1/openapi.json", (c) => c.json(openApiDocument(adminRoutes, c.env.VERSION)));
mountAdminRoutes(app, "/admin/v1", adminRoutes);

// Agent plane: /mcp/*, /a2a/*, /.well-known/*, /v1/agents/token-exchange.
app.route("/", agentPlane);

app.notFound((c) => {
  const path = new URL(c.req.url).pathname;
  if (path.startsWith("/admin/")) return adminError(new ProblemError(404, "Not Found", `No route ${c.req.method} ${path}.`), path);
  return errorResponse(new GatewayError(404, "invalid_request_error", "unknown_url", `Unknown request URL: ${c.req.method} ${path}.`));
});

app.onError((err, c) => {
  const path = new URL(c.req.url).pathname;
  if (path.startsWith("/admin/")) return adminError(err, path);
  console.error("unhandled error", { path, error: err instanceof Error ? err.message : String(err) });
  return errorResponse(new GatewayError(500, "api_error", "internal_error", "The gateway hit an unexpected error."));
});
