/**
 * @module
 * Home-edge processing: a data-plane request that reaches the edge of one region for a team whose
 * home zone is another is authenticated here (key → team from the policy bundle, before the body
 * is parsed) and forwarded to the home region's edge with a signed, timestamped, body-bound
 * forward header (src/routing/forward-signature.ts). The home edge verifies it, serves the request
 * and records `forwarded_from` in the usage event, so the team's budget, limits, logs and usage
 * live in one zone whichever edge the client reached.
 *
 * A client cannot skip or fake this: forward headers a client sends (`x-switchyard-forwarded-from`,
 * a forward header that does not verify) are stripped and ignored, and the request is routed as
 * any other. A verified forward is never forwarded again (no loops); if its team does not belong
 * here after all (edges' bundles disagree for a moment), it is refused, never served elsewhere.
 *
 * REGION_EDGES maps zone → base URL (`https://eu.switchyard.example`) or `service:<BINDING>` for
 * a service binding (tests and `npm start` run several local instances this way).
 */
import { getBundle } from "../config/loader";
import { apiKeyHash } from "../gateway/context";
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, readBoundedBytes, tooLarge } from "../gateway/body";
import type { Env } from "../env";
import { GatewayError, errorResponse } from "../errors/openai";
import { forwardedFrom, markForwarded } from "./forward-origin";
import { FORWARD_HEADER, signForward, verifyForward } from "./forward-signature";

export const FORWARDED_FROM = "x-switchyard-forwarded-from";
export const FORWARDED_TO = "x-switchyard-forwarded-to";

type Edges = Readonly<Record<string, string>>;
const parsedEdges = new Map<string, Edges>();

/**
 * Parses REGION_EDGES once per distinct value; anything malformed means "no edges" (serve locally).
 * @example parseEdges('{"eu":"service:EDGE_EU"}').eu === "service:EDGE_EU"
 */
export function parseEdges(raw: string | undefined): Edges {
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

/** What to do with a request here. */
export type ForwardAction = { kind: "serve" } | { kind: "forward"; edge: string } | { kind: "refuse" };

/**
 * Where a request should go. Pure. `verifiedFrom` is set only for a forward whose signature
 * verified: such a request is served here or refused, never forwarded a second time.
 * @example forwardAction({ here: "us", home: "eu", edges: { eu: "https://eu" } }) // { kind: "forward", edge: "https://eu" }
 */
export function forwardAction(d: { here: string; home: string; verifiedFrom?: string; edges: Edges }): ForwardAction {
  if (d.home === d.here) return { kind: "serve" };
  if (d.verifiedFrom !== undefined) return { kind: "refuse" };
  const edge = d.edges[d.home];
  return edge ? { kind: "forward", edge } : { kind: "serve" };
}

function bodyLimit(env: Env): number {
  return Number(env.MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES);
}

function target(url: URL): string {
  return `${url.pathname}${url.search}`;
}

/**
 * Strips forward headers from a request that carries any, and remembers the sender when a
 * forward header verifies (addressed to this region, fresh, bound to this method, path, key and
 * body). Returns the request the pipeline should see.
 */
async function admitForward(request: Request, env: Env): Promise<Request> {
  const headers = new Headers(request.headers);
  const signed = headers.get(FORWARD_HEADER);
  headers.delete(FORWARD_HEADER);
  headers.delete(FORWARDED_FROM);
  if (!signed || !env.FORWARD_SIGNING_KEY) return new Request(request, { headers });
  const body = request.method === "GET" || request.method === "HEAD"
    ? new Uint8Array(0)
    : await readBoundedBytes(request.body, bodyLimit(env), request.headers.get("content-length"));
  const verdict = await verifyForward(
    env.FORWARD_SIGNING_KEY,
    signed,
    { method: request.method, target: target(new URL(request.url)), authorization: request.headers.get("authorization"), body },
    Math.floor(Date.now() / 1000),
  );
  const admitted = new Request(request.url, { method: request.method, headers, body: body.byteLength ? body : undefined });
  if (verdict.ok && verdict.to === env.REGION) markForwarded(admitted, verdict.from);
  else console.warn(JSON.stringify({ event: "forward_header_ignored", region: env.REGION, reason: verdict.ok ? "wrong_receiver" : verdict.reason }));
  return admitted;
}

function unreachable(home: string, why: string): Response {
  return errorResponse(new GatewayError(503, "service_unavailable", "home_region_unreachable", `This team's home region (${home}) could not be reached (${why}); the request was not served elsewhere.`));
}

async function sendToHome(request: Request, env: Env, home: string, edge: string): Promise<Response> {
  const url = new URL(request.url);
  let body: Uint8Array;
  try {
    body = request.method === "GET" || request.method === "HEAD" ? new Uint8Array(0) : await readBoundedBytes(request.body, bodyLimit(env), request.headers.get("content-length"));
  } catch (err) {
    if (err instanceof BodyTooLargeError) return errorResponse(tooLarge(err.limit));
    throw err;
  }
  if (!env.FORWARD_SIGNING_KEY) return unreachable(home, "FORWARD_SIGNING_KEY is not set");
  const headers = new Headers(request.headers);
  headers.delete(FORWARDED_FROM);
  headers.delete("content-length");
  const facts = { from: env.REGION, to: home, ts: Math.floor(Date.now() / 1000), method: request.method, target: target(url), authorization: request.headers.get("authorization"), body };
  headers.set(FORWARD_HEADER, await signForward(env.FORWARD_SIGNING_KEY, facts));
  const init: RequestInit = { method: request.method, headers, body: body.byteLength ? body : undefined, redirect: "manual" };
  let res: Response;
  try {
    if (edge.startsWith("service:")) {
      const binding = (env as unknown as Record<string, Fetcher | undefined>)[edge.slice("service:".length)];
      if (!binding || typeof binding.fetch !== "function") throw new Error(`no service binding ${edge}`);
      res = await binding.fetch(new Request(`https://${home}.edge${facts.target}`, init));
    } else {
      res = await fetch(`${edge}${facts.target}`, init);
    }
  } catch (err) {
    console.error(JSON.stringify({ event: "residency_forward_failed", to: home, error: err instanceof Error ? err.message : String(err) }));
    // Never fall back to serving here: the team's data belongs in its home region.
    return unreachable(home, "edge did not answer");
  }
  const out = new Response(res.body, res);
  out.headers.set(FORWARDED_TO, home);
  out.headers.set(FORWARDED_FROM, env.REGION);
  return out;
}

/**
 * Routes a data-plane request to its team's home edge: a Response when it was answered (forwarded,
 * refused, or too large to forward), otherwise the Request the pipeline should serve here (the
 * same object unless forward headers had to be stripped). Unknown keys fall through so the
 * pipeline answers 401 as usual.
 * @example const routed = await routeToHome(c.req.raw, c.env, c.executionCtx); if (routed instanceof Response) return routed;
 */
export async function routeToHome(request: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Request | Response> {
  if (request.headers.has(FORWARD_HEADER) || request.headers.has(FORWARDED_FROM)) {
    try {
      request = await admitForward(request, env);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return errorResponse(tooLarge(err.limit));
      throw err;
    }
  }
  const edges = parseEdges(env.REGION_EDGES);
  const verifiedFrom = forwardedFrom(request);
  if (verifiedFrom === undefined && Object.keys(edges).length === 0) return request;
  let hash: string;
  try {
    // Memoised per isolate (src/gateway/context.ts): the pipeline's own lookup costs no second hash.
    hash = await apiKeyHash(request);
  } catch {
    return request; // no bearer key: the pipeline answers the 401
  }
  const bundle = await getBundle(env, ctx);
  const key = bundle.keysByHash.get(hash);
  const team = key ? bundle.teams.get(key.team) : undefined;
  if (!team) return request;
  const action = forwardAction({ here: env.REGION, home: team.residency, verifiedFrom, edges });
  if (action.kind === "serve") return request;
  if (action.kind === "refuse") {
    return errorResponse(new GatewayError(503, "service_unavailable", "residency_misrouted", `This request was forwarded to ${env.REGION}, but the team's home region is ${team.residency}; it was not served.`));
  }
  console.log(JSON.stringify({ event: "residency_forward", from: env.REGION, to: team.residency, team: team.id, path: new URL(request.url).pathname }));
  return sendToHome(request, env, team.residency, action.edge);
}
