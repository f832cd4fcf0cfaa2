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
 * The agent plane (/mcp, /a2a, token exchange) takes the same path with its own idea of "the
 * team" (the acting agent's, src/agents/home.ts) and its own error shape ({@link HomeRouting}).
 *
 * REGION_EDGES maps zone → base URL (`https://eu.switchyard.example`) or `service:<BINDING>` for
 * a service binding (tests and `npm start` run several local instances this way).
 */
import type { PolicyBundle } from "../config/bundle";
import { getBundle } from "../config/loader";
import { apiKeyHash } from "../gateway/context";
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, readBoundedBytes, tooLarge } from "../gateway/body";
import type { Env } from "../env";
import { GatewayError, errorResponse } from "../errors/openai";
import { forwardedFrom, markForwarded } from "./forward-origin";
import { FORWARD_HEADER, FORWARD_ORIGIN_HEADER, signForward, verifyForward } from "./forward-signature";

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
  const origin = headers.get(FORWARD_ORIGIN_HEADER) ?? "";
  for (const h of [FORWARD_HEADER, FORWARDED_FROM, FORWARD_ORIGIN_HEADER]) headers.delete(h);
  if (!signed || !env.FORWARD_SIGNING_KEY) return new Request(request, { headers });
  const body = request.method === "GET" || request.method === "HEAD"
    ? new Uint8Array(0)
    : await readBoundedBytes(request.body, bodyLimit(env), request.headers.get("content-length"));
  const path = target(new URL(request.url));
  const verdict = await verifyForward(
    env.FORWARD_SIGNING_KEY,
    signed,
    { method: request.method, target: path, authorization: request.headers.get("authorization"), body, origin },
    Math.floor(Date.now() / 1000),
  );
  const accepted = verdict.ok && verdict.to === env.REGION;
  // A verified forward is answered as if at the URL the client called (a DPoP proof names it).
  const url = accepted && ORIGIN.test(origin) ? `${origin}${path}` : request.url;
  const admitted = new Request(url, { method: request.method, headers, body: body.byteLength ? body : undefined });
  if (accepted) markForwarded(admitted, verdict.from);
  else console.warn(JSON.stringify({ event: "forward_header_ignored", region: env.REGION, reason: verdict.ok ? "wrong_receiver" : verdict.reason }));
  return admitted;
}

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** How a plane answers the forward's own errors (the data plane: the OpenAI envelope). */
export type ForwardErrorAnswer = (status: 413 | 503, code: string, message: string) => Response;

const openAiAnswer: ForwardErrorAnswer = (status, code, message) =>
  errorResponse(new GatewayError(status, status === 413 ? "invalid_request_error" : "service_unavailable", code, message));

function unreachable(answer: ForwardErrorAnswer, home: string, why: string): Response {
  return answer(503, "home_region_unreachable", `This team's home region (${home}) could not be reached (${why}); the request was not served elsewhere.`);
}

function tooLargeAnswer(answer: ForwardErrorAnswer, err: BodyTooLargeError): Response {
  const { code, message } = tooLarge(err.limit);
  return answer(413, code, message);
}

/**
 * Sends `request` to the edge `edge` of region `to` with a signed forward header; the answer
 * streams through unbuffered. Throws when the edge cannot be reached.
 */
export async function sendSigned(env: Env, request: Request, to: string, edge: string, body: Uint8Array): Promise<Response> {
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  for (const h of [FORWARDED_FROM, FORWARD_HEADER, FORWARD_ORIGIN_HEADER, "content-length"]) headers.delete(h);
  const facts = {
    from: env.REGION, to, ts: Math.floor(Date.now() / 1000), method: request.method, target: target(url),
    authorization: request.headers.get("authorization"), body, origin: url.origin,
  };
  headers.set(FORWARD_HEADER, await signForward(env.FORWARD_SIGNING_KEY!, facts));
  headers.set(FORWARD_ORIGIN_HEADER, url.origin);
  const init: RequestInit = { method: request.method, headers, body: body.byteLength ? body : undefined, redirect: "manual" };
  if (!edge.startsWith("service:")) return fetch(`${edge}${facts.target}`, init);
  const binding = (env as unknown as Record<string, Fetcher | undefined>)[edge.slice("service:".length)];
  if (!binding || typeof binding.fetch !== "function") throw new Error(`no service binding ${edge}`);
  return binding.fetch(new Request(`https://${to}.edge${facts.target}`, init));
}

async function sendToHome(request: Request, env: Env, home: string, edge: string, answer: ForwardErrorAnswer): Promise<Response> {
  let body: Uint8Array;
  try {
    body = request.method === "GET" || request.method === "HEAD" ? new Uint8Array(0) : await readBoundedBytes(request.body, bodyLimit(env), request.headers.get("content-length"));
  } catch (err) {
    if (err instanceof BodyTooLargeError) return tooLargeAnswer(answer, err);
    throw err;
  }
  if (!env.FORWARD_SIGNING_KEY) return unreachable(answer, home, "FORWARD_SIGNING_KEY is not set");
  let res: Response;
  try {
    res = await sendSigned(env, request, home, edge, body);
  } catch (err) {
    console.error(JSON.stringify({ event: "residency_forward_failed", to: home, error: err instanceof Error ? err.message : String(err) }));
    // Never fall back to serving here: the team's data belongs in its home region.
    return unreachable(answer, home, "edge did not answer");
  }
  const out = new Response(res.body, res);
  out.headers.set(FORWARDED_TO, home);
  out.headers.set(FORWARDED_FROM, env.REGION);
  return out;
}

/** Which team a request acts for, or undefined when it cannot tell (the handler then answers 401). */
export type TeamOf = (request: Request, env: Env, bundle: PolicyBundle) => Promise<string | undefined>;

/** The data plane's answer: the API key's team, from the policy bundle. */
const keyTeam: TeamOf = async (request, _env, bundle) => {
  let hash: string;
  try {
    // Memoised per isolate (src/gateway/context.ts): the pipeline's own lookup costs no second hash.
    hash = await apiKeyHash(request);
  } catch {
    return undefined; // no bearer key: the pipeline answers the 401
  }
  return bundle.keysByHash.get(hash)?.team;
};

/** How a plane plugs into home-edge processing; the defaults are the data plane's. */
export interface HomeRouting {
  /** Authenticates the request against the global config and names its team. */
  teamOf?: TeamOf;
  answer?: ForwardErrorAnswer;
}

/**
 * Routes a request to its team's home edge: a Response when it was answered (forwarded,
 * refused, or too large to forward), otherwise the Request to serve here (the same object unless
 * forward headers had to be stripped). Requests whose team is unknown fall through, so the
 * handler answers 401 as usual.
 * @example const routed = await routeToHome(c.req.raw, c.env, c.executionCtx); if (routed instanceof Response) return routed;
 */
export async function routeToHome(
  request: Request,
  env: Env,
  ctx: { waitUntil(p: Promise<unknown>): void },
  plane: HomeRouting = {},
): Promise<Request | Response> {
  const answer = plane.answer ?? openAiAnswer;
  if (request.headers.has(FORWARD_HEADER) || request.headers.has(FORWARDED_FROM) || request.headers.has(FORWARD_ORIGIN_HEADER)) {
    try {
      request = await admitForward(request, env);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return tooLargeAnswer(answer, err);
      throw err;
    }
  }
  const edges = parseEdges(env.REGION_EDGES);
  const verifiedFrom = forwardedFrom(request);
  if (verifiedFrom === undefined && Object.keys(edges).length === 0) return request;
  const bundle = await getBundle(env, ctx);
  const teamId = await (plane.teamOf ?? keyTeam)(request, env, bundle);
  const team = teamId === undefined ? undefined : bundle.teams.get(teamId);
  if (!team) return request;
  const action = forwardAction({ here: env.REGION, home: team.residency, verifiedFrom, edges });
  if (action.kind === "serve") return request;
  if (action.kind === "refuse") {
    return answer(503, "residency_misrouted", `This request was forwarded to ${env.REGION}, but the team's home region is ${team.residency}; it was not served.`);
  }
  console.log(JSON.stringify({ event: "residency_forward", from: env.REGION, to: team.residency, team: team.id, path: new URL(request.url).pathname }));
  return sendToHome(request, env, team.residency, action.edge, answer);
}
