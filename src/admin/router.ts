/**
 * @module
 * The admin plane's one extension point: a route is a plain object (method, path, roles, zod
 * body schema, handler). {@link mountAdminRoutes} wires each into Hono with authentication, role
 * checks and validation; {@link openApiDocument} renders the same objects, with the same zod
 * schemas, as OpenAPI 3.1. Every error is an RFC 9457 problem document.
 */
import type { Hono } from "hono";
import { z } from "zod";
import type { Env } from "../env";
import { ProblemError, problemResponse } from "../errors/problem";
import { DEFAULT_MAX_BODY_BYTES, parseJsonBody, readBodyText } from "../gateway/body";
import { GatewayError } from "../errors/openai";
import { requireRole, verifyAdminToken, type Principal, type Role } from "./auth";
import { fanOutScope, gather, verifiedQuestionFrom, type RegionSpan } from "./fan-out";

export interface AdminContext<B> {
  env: Env;
  principal: Principal;
  params: Record<string, string>;
  query: URLSearchParams;
  body: B;
  request: Request;
  waitUntil(p: Promise<unknown>): void;
}

export interface AdminRoute<B = unknown> {
  method: "get" | "put" | "post" | "delete";
  /** Hono-style path below /admin/v1, e.g. `/teams/:id`. */
  path: string;
  summary: string;
  tag: string;
  /** Roles allowed besides admin; "any" means every authenticated role. */
  roles: readonly Role[] | "any";
  body?: z.ZodType<B>;
  /**
   * For routes that read the raw request themselves (e.g. JSON or CSV): documented in OpenAPI
   * only, never used to parse. `content` adds media types besides application/json.
   */
  bodyDoc?: { schema: z.ZodType; content?: Record<string, { schema: Record<string, unknown> }> };
  /** Status for a successful answer (default 200). */
  status?: number;
  /**
   * A read of zone-local data that spans regions: answered from every region's store, the
   * caller's role checked in each (src/admin/fan-out.ts).
   */
  spansRegions?: RegionSpan;
  /**
   * Also answers another edge's signed fan-out question sent with no Authorization at all (a
   * cron job's read of every zone, src/admin/zone-read.ts), as the auditor `system:edge-<from>`.
   * Only for reads of aggregate facts; never for anything a caller could not read anyway.
   */
  systemReadable?: boolean;
  handler(c: AdminContext<B>): Promise<unknown>;
}

/** Identity helper that keeps the body type tied to its schema. */
export function adminRoute<B = undefined>(route: AdminRoute<B>): AdminRoute<B> {
  return route;
}

function zodProblem(error: z.ZodError): ProblemError {
  return new ProblemError(
    400,
    "Invalid Request Body",
    error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; "),
    error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
  );
}

/** Converts anything thrown in the admin plane into a problem response, never a stack trace. */
export function adminError(err: unknown, instance?: string): Response {
  if (err instanceof ProblemError) return problemResponse(err, instance);
  if (err instanceof GatewayError) return problemResponse(new ProblemError(err.status, err.code, err.message), instance);
  console.error("admin error", { error: err instanceof Error ? err.message : String(err), cause: err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined });
  return problemResponse(new ProblemError(500, "Internal Error", "Unexpected error; nothing was changed unless the response said so."), instance);
}

export function mountAdminRoutes(app: Hono<{ Bindings: Env }>, base: string, routes: ReadonlyArray<AdminRoute<unknown>>): void {
  for (const route of routes) {
    app.on(route.method.toUpperCase(), base + route.path, async (c) => {
      try {
        const header = c.req.header("authorization") ?? "";
        const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
        const system = !header && route.systemReadable ? await verifiedQuestionFrom(c.req.raw, c.env) : undefined;
        if (!match && !system) throw new ProblemError(401, "Unauthorized", "Send `Authorization: Bearer <admin JWT>`.");
        const principal: Principal = match
          ? await verifyAdminToken(match[1], { secret: c.env.ADMIN_JWT_SECRET, jwksUrl: c.env.ADMIN_JWKS_URL })
          : { sub: `system:edge-${system}`, role: "auditor" };
        if (route.roles !== "any") requireRole(principal, route.roles);
        let body: unknown = undefined;
        if (route.body) {
          let raw: unknown;
          try {
            raw = parseJsonBody(await readBodyText(c.req.raw, Number(c.env.MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES)));
          } catch (err) {
            if (err instanceof GatewayError) throw new ProblemError(err.status, err.status === 413 ? "Payload Too Large" : "Invalid Request Body", err.message);
            throw err;
          }
          const parsed = route.body.safeParse(raw);
          if (!parsed.success) throw zodProblem(parsed.error);
          body = parsed.data;
        }
        const context: AdminContext<unknown> = {
          env: c.env,
          principal,
          params: c.req.param() as Record<string, string>,
          query: new URL(c.req.url).searchParams,
          body,
          request: c.req.raw,
          waitUntil: (p) => c.executionCtx.waitUntil(p),
        };
        if (route.spansRegions) {
          const scope = await fanOutScope(c.req.raw, c.env);
          if (scope.kind === "gather") {
            return await gather({ span: route.spansRegions, regions: scope.regions, request: c.req.raw, env: c.env, local: () => route.handler(context) });
          }
        }
        const result = await route.handler(context);
        if (result instanceof Response) return result;
        if (route.status === 204) return new Response(null, { status: 204 });
        return c.json(result as object, (route.status ?? 200) as 200);
      } catch (err) {
        return adminError(err, new URL(c.req.url).pathname);
      }
    });
  }
}

/**
 * OpenAPI 3.1 for the admin plane, built from the same route objects and zod schemas.
 * @example openApiDocument(routes, "0.1.0").paths["/admin/v1/teams/{id}"].put
 */
export function openApiDocument(routes: ReadonlyArray<AdminRoute<unknown>>, version: string, base = "/admin/v1"): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = base + r.path.replace(/:([A-Za-z_]+)/g, "{$1}");
    const params = [...r.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    paths[path] ??= {};
    paths[path][r.method] = {
      summary: r.summary,
      tags: [r.tag],
      "x-roles": r.roles === "any" ? ["admin", "finance", "auditor", "team-owner"] : ["admin", ...r.roles],
      ...(params.length ? { parameters: params } : {}),
      ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: z.toJSONSchema(r.body, { io: "input", unrepresentable: "any" }) } } } } : {}),
      ...(r.bodyDoc
        ? { requestBody: { required: true, content: { "application/json": { schema: z.toJSONSchema(r.bodyDoc.schema, { io: "input", unrepresentable: "any" }) }, ...r.bodyDoc.content } } }
        : {}),
      responses: {
        [String(r.status ?? 200)]: { description: "Success" },
        default: { description: "RFC 9457 problem", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } },
      },
      security: [{ bearerJwt: [] }],
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Switchyard admin API", version },
    paths,
    components: {
      securitySchemes: { bearerJwt: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: {
        Problem: {
          type: "object",
          required: ["type", "title", "status"],
          properties: { type: { type: "string" }, title: { type: "string" }, status: { type: "integer" }, detail: { type: "string" }, instance: { type: "string" } },
        },
      },
    },
  };
}
