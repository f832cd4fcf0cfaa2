/**
 * @module
 * The Hono apps: routes only. Data plane under /v1, control plane under /admin/v1.
 *
 * Two apps, chosen per request by {@link app}.fetch on the exact path:
 * - `dataPlane`: /healthz and the OpenAI routes. A few static paths, so its RegExpRouter answers
 *   from a static map and the hot path pays next to nothing for routing.
 * - `controlPlane`: the admin API (~80 routes), the agent plane, and every unknown path. Its
 *   routes need Hono's TrieRouter (RegExpRouter refuses `/discoveries/run` beside
 *   `/discoveries/:id/register`), which is why the data plane is not mounted in it: in one app,
 *   every chat request paid for the trie search.
 * Both apps share the notFound and onError handlers below, so an answer never depends on which
 * app served it.
 */
import { Hono, type Context, type ErrorHandler, type NotFoundHandler } from "hono";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { getPath } from "hono/utils/url";
import { adminRoutes } from "../src/admin";
import { agentPlane } from "../src/agents/http";
import { adminError, mountAdminRoutes, openApiDocument } from "../src/admin/router";
import type { Env } from "../src/env";
import { GatewayError, errorResponse } from "../src/errors/openai";
import { ProblemError } from "../src/errors/problem";
import { handleChat } from "../src/gateway/chat";
import { handleCountTokens } from "../src/gateway/count-tokens";
import { handleEmbeddings, handleModels } from "../src/gateway/embeddings";
import { anthropicMessagesIngress } from "../src/ingress/anthropic-messages";
import { openAiResponsesIngress } from "../src/ingress/openai-responses";
import { handleFeedback } from "../src/gateway/feedback";
import { routeToHome } from "../src/routing/forward";
import { workloadHook } from "../src/workloads/hook";

type AppEnv = { Bindings: Env };

const deps = (c: Context<AppEnv>) => ({ env: c.env, ctx: c.executionCtx });

const notFound: NotFoundHandler<AppEnv> = (c) => {
  const path = new URL(c.req.url).pathname;
  if (path.startsWith("/admin/")) return adminError(new ProblemError(404, "Not Found", `No route ${c.req.method} ${path}.`), path);
  return errorResponse(new GatewayError(404, "invalid_request_error", "unknown_url", `Unknown request URL: ${c.req.method} ${path}.`));
};

const onError: ErrorHandler<AppEnv> = (err, c) => {
  const path = new URL(c.req.url).pathname;
  if (path.startsWith("/admin/")) return adminError(err, path);
  console.error("unhandled error", { path, error: err instanceof Error ? err.message : String(err) });
  return errorResponse(new GatewayError(500, "api_error", "internal_error", "The gateway hit an unexpected error."));
};

export const dataPlane = new Hono<AppEnv>({ router: new RegExpRouter() });

dataPlane.get("/healthz", (c) => c.json({ status: "ok", region: c.env.REGION, version: c.env.VERSION }));

// Home-edge processing runs before the pipeline reads the body, on every data-plane route
// (src/routing/forward.ts); it may replace the request with one stripped of forward headers.
dataPlane.use("/v1/*", async (c, next) => {
  const routed = await routeToHome(c.req.raw, c.env, c.executionCtx);
  if (routed instanceof Response) return routed;
  c.req.raw = routed;
  return next();
});

// Deprecation headers and production quality sampling, after the answer (src/workloads/hook.ts).
dataPlane.use("/v1/chat/completions", workloadHook);
dataPlane.post("/v1/chat/completions", (c) => handleChat(c.req.raw, deps(c)));
// The same pipeline behind other wire formats (src/ingress): Anthropic Messages, OpenAI Responses.
dataPlane.post("/v1/messages", (c) => handleChat(c.req.raw, deps(c), anthropicMessagesIngress));
dataPlane.post("/v1/messages/count_tokens", (c) => handleCountTokens(c.req.raw, deps(c)));
dataPlane.post("/v1/responses", (c) => handleChat(c.req.raw, deps(c), openAiResponsesIngress));
dataPlane.post("/v1/embeddings", (c) => handleEmbeddings(c.req.raw, deps(c)));
dataPlane.get("/v1/models", (c) => handleModels(c.req.raw, deps(c)));
dataPlane.post("/v1/feedback", (c) => handleFeedback(c.req.raw, deps(c)));

dataPlane.notFound(notFound);
dataPlane.onError(onError);

export const controlPlane = new Hono<AppEnv>();

controlPlane.get("/admin/v1/openapi.json", (c) => c.json(openApiDocument(adminRoutes, c.env.VERSION)));
mountAdminRoutes(controlPlane, "/admin/v1", adminRoutes);

// Agent plane: /mcp/*, /a2a/*, /.well-known/*, /v1/agents/token-exchange.
controlPlane.route("/", agentPlane);

controlPlane.notFound(notFound);
controlPlane.onError(onError);

/** Every path the data plane has a route or middleware for; all other paths go to the control plane. */
const dataPlanePaths = new Set(dataPlane.routes.map((r) => r.path));

/** The Worker's fetch handler (workers/edge.ts). */
export const app = {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    // Hono's own path extraction (percent-decoding included): the choice sees what the routers see.
    return (dataPlanePaths.has(getPath(request)) ? dataPlane : controlPlane).fetch(request, env, ctx);
  },
};
