/**
 * @module
 * Residency forwarding: a data-plane request that reaches the edge of one region for a team
 * whose home zone is another is sent on to the home region's edge, explicitly and logged, and
 * marked `x-switchyard-forwarded-from` so it is never forwarded again (no loops, even with a
 * misconfigured REGION_EDGES). The key → team lookup uses the policy bundle and runs before the
 * body is read, so the body streams through untouched.
 *
 * REGION_EDGES maps zone → base URL (`https://eu.switchyard.example`) or `service:<BINDING>` for
 * a service binding (tests run two local instances this way; production may bind regions too).
 */
import { getBundle } from "../config/loader";
import { apiKeyHash } from "../gateway/context";
import type { Env } from "../env";
import { GatewayError, errorResponse } from "../errors/openai";

export const FORWARDED_FROM = "x-switchyard-forwarded-from";
export const FORWARDED_TO = "x-switchyard-forwarded-to";

const parsedEdges = new Map<string, Readonly<Record<string, string>>>();

/**
 * Parses REGION_EDGES once per distinct value; anything malformed means "no edges" (serve locally).
 * @example parseEdges('{"eu":"service:EDGE_EU"}').eu === "service:EDGE_EU"
 */
export function parseEdges(raw: string | undefined): Readonly<Record<string, string>> {
  const key = raw ?? "";
  let edges = parsedEdges.get(key);
  if (!edges) {
    let value: unknown;
    try {
      value = JSON.parse(key || "{}");
    } catch {
      value = {};
    }
    const out: Record<string, string> = {};
    if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [zone, url] of Object.entries(value)) if (typeof url === "string" && url) out[zone] = url.replace(/\/+$/, "");
    }
    edges = out;
    if (parsedEdges.size > 16) parsedEdges.clear();
    parsedEdges.set(key, edges);
  }
  return edges;
}

/**
 * Where a request should go: undefined to serve it here. Pure.
 * @example forwardDecision({ here: "us", home: "eu", alreadyForwarded: false, edges: { eu: "https://eu" } }) === "https://eu"
 */
export function forwardDecision(d: { here: string; home: string; alreadyForwarded: boolean; edges: Readonly<Record<string, string>> }): string | undefined {
  if (d.alreadyForwarded || d.home === d.here) return undefined;
  return d.edges[d.home];
}

/**
 * Forwards the request to its team's home edge when it belongs elsewhere; undefined otherwise
 * (unknown keys fall through so the pipeline answers 401 as usual).
 * @example const forwarded = await maybeForward(c.req.raw, c.env, c.executionCtx); if (forwarded) return forwarded;
 */
export async function maybeForward(request: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response | undefined> {
  const edges = parseEdges(env.REGION_EDGES);
  const alreadyForwarded = request.headers.has(FORWARDED_FROM);
  if (alreadyForwarded || Object.keys(edges).length === 0) return undefined;
  let hash: string;
  try {
    // Memoised per isolate (src/gateway/context.ts): the pipeline's own lookup costs no second hash.
    hash = await apiKeyHash(request);
  } catch {
    return undefined; // no bearer key: the pipeline answers the 401
  }
  const bundle = await getBundle(env, ctx);
  const key = bundle.keysByHash.get(hash);
  const team = key ? bundle.teams.get(key.team) : undefined;
  if (!team) return undefined;
  const edge = forwardDecision({ here: env.REGION, home: team.residency, alreadyForwarded, edges });
  if (!edge) return undefined;
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  headers.set(FORWARDED_FROM, env.REGION);
  const requestId = request.headers.get("x-request-id");
  console.log(JSON.stringify({ event: "residency_forward", from: env.REGION, to: team.residency, team: team.id, path: url.pathname, request_id: requestId }));
  try {
    let res: Response;
    if (edge.startsWith("service:")) {
      const binding = (env as unknown as Record<string, Fetcher | undefined>)[edge.slice("service:".length)];
      if (!binding || typeof binding.fetch !== "function") throw new Error(`no service binding ${edge}`);
      res = await binding.fetch(new Request(`https://${team.residency}.edge${url.pathname}${url.search}`, { method: request.method, headers, body: request.body }));
    } else {
      res = await fetch(`${edge}${url.pathname}${url.search}`, { method: request.method, headers, body: request.body, redirect: "manual" });
    }
    const out = new Response(res.body, res);
    out.headers.set(FORWARDED_TO, team.residency);
    return out;
  } catch (err) {
    console.error(JSON.stringify({ event: "residency_forward_failed", to: team.residency, request_id: requestId, error: err instanceof Error ? err.message : String(err) }));
    // Never fall back to serving here: the team's data belongs in its home region.
    return errorResponse(new GatewayError(503, "service_unavailable", "home_region_unreachable", `This team's home region (${team.residency}) could not be reached; the request was not served elsewhere.`));
  }
}
