/**
 * @module
 * Admin reads that span regions (usage, request logs and their bodies, reports): the edge that
 * receives one answers from its own zone and asks every other edge in REGION_EDGES the same
 * question, then merges (src/admin/region-merge.ts). Each edge checks the caller itself: the
 * caller's own Authorization header travels with the question and every edge verifies the JWT
 * and the role (and, per row, team access) as for any admin request, so a 403 anywhere is a 403.
 *
 * The question carries a signed forward header (src/routing/forward-signature.ts, bound to the
 * path, query, Authorization and origin): an edge that verifies it answers from its own zone only
 * and never asks further, so a read fans out one hop. A marker that does not verify is ignored
 * (the read fans out as usual), so a client gains nothing by sending one.
 *
 * Nothing is written anywhere by a fan-out: the answer goes to the caller, and each zone's rows
 * stay in its store. `?region=eu` asks one region only. Regions that did not answer are listed
 * (`regions.failed`, `x-switchyard-regions-failed`) and the answer is marked `partial`.
 */
import type { Env } from "../env";
import { ProblemError, problemResponse } from "../errors/problem";
import { FORWARD_HEADER, FORWARD_ORIGIN_HEADER, verifyForward } from "../routing/forward-signature";
import { parseEdges, sendSigned } from "../routing/forward";
import { regionsReport, type RegionMerge, type RegionPart, type RegionsReport } from "./region-merge";

/**
 * How a route spans regions: merge every region's answer, or find the one region that has it.
 * `partsMayBeMissing`: a 404 from a region means "no part of it here" (a delegation trace spans
 * zones), and only 404 everywhere is a 404.
 */
export type RegionSpan = { merge: RegionMerge; partsMayBeMissing?: boolean } | { find: true };

/** Where an admin read is answered: here only, or gathered from these regions. */
export type FanOutScope = { kind: "local" } | { kind: "gather"; regions: string[] };

/** Long enough for a cold edge, short enough that one dead region does not hang the read. */
const REMOTE_TIMEOUT_MS = 10_000;

function target(request: Request): string {
  const url = new URL(request.url);
  return `${url.pathname}${url.search}`;
}

/** True when the request is another edge's fan-out question, signed for this region. */
async function isVerifiedQuestion(request: Request, env: Env): Promise<boolean> {
  return (await verifiedQuestionFrom(request, env)) !== undefined;
}

/**
 * The region that sent this fan-out question, when its forward signature verifies for this
 * region (bound to method, path, query, Authorization — or its absence — and origin).
 */
export async function verifiedQuestionFrom(request: Request, env: Env): Promise<string | undefined> {
  const signed = request.headers.get(FORWARD_HEADER);
  if (!signed || !env.FORWARD_SIGNING_KEY) return undefined;
  const verdict = await verifyForward(env.FORWARD_SIGNING_KEY, signed, {
    method: request.method, target: target(request), authorization: request.headers.get("authorization"),
    body: new Uint8Array(0), origin: request.headers.get(FORWARD_ORIGIN_HEADER) ?? "",
  }, Math.floor(Date.now() / 1000));
  if (verdict.ok && verdict.to === env.REGION) return verdict.from;
  console.warn(JSON.stringify({ event: "fan_out_marker_ignored", region: env.REGION, reason: verdict.ok ? "wrong_receiver" : verdict.reason }));
  return undefined;
}

/**
 * Decides where an admin read is answered. A single-region deployment (no REGION_EDGES) and a
 * verified question from another edge answer locally; `?region=` must name a known region.
 * @example await fanOutScope(request, env) // { kind: "gather", regions: ["us", "eu", "apac"] }
 */
export async function fanOutScope(request: Request, env: Env): Promise<FanOutScope> {
  if (await isVerifiedQuestion(request, env)) return { kind: "local" };
  const edges = parseEdges(env.REGION_EDGES);
  const known = [env.REGION, ...Object.keys(edges).filter((r) => r !== env.REGION)];
  const only = new URL(request.url).searchParams.get("region");
  if (only !== null) {
    if (!known.includes(only)) throw new ProblemError(400, "Invalid Query", `region must be one of ${known.join(", ")}; got ${only.slice(0, 32)}.`);
    return { kind: "gather", regions: [only] };
  }
  return known.length === 1 ? { kind: "local" } : { kind: "gather", regions: known };
}

/** One region's outcome: its answer, "not here" (404), a refusal, or no usable answer. */
type Outcome =
  | { region: string; kind: "ok"; body: unknown; response?: Response }
  | { region: string; kind: "missing" }
  | { region: string; kind: "denied"; status: number; detail: string }
  | { region: string; kind: "failed"; status: number | null; reason: string };

async function localOutcome(region: string, local: () => Promise<unknown>): Promise<Outcome> {
  try {
    const result = await local();
    if (result instanceof Response) return { region, kind: "ok", body: null, response: result };
    return { region, kind: "ok", body: result };
  } catch (err) {
    // Anything but "not here" or a refusal is the request's own fault (400): answer it as such.
    if (!(err instanceof ProblemError) || ![401, 403, 404].includes(err.status)) throw err;
    if (err.status === 404) return { region, kind: "missing" };
    return { region, kind: "denied", status: err.status, detail: err.detail ?? err.title };
  }
}

async function remoteOutcome(request: Request, env: Env, region: string, edge: string | undefined): Promise<Outcome> {
  if (!edge) return { region, kind: "failed", status: null, reason: "no edge configured" };
  if (!env.FORWARD_SIGNING_KEY) return { region, kind: "failed", status: null, reason: "FORWARD_SIGNING_KEY is not set" };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timed out")), REMOTE_TIMEOUT_MS)));
    const res = await Promise.race([sendSigned(env, request, region, edge, new Uint8Array(0)), timeout]);
    if (res.status === 404) return (await res.body?.cancel(), { region, kind: "missing" });
    if (res.status === 401 || res.status === 403) {
      const problem = await res.json<{ detail?: string }>().catch(() => ({ detail: undefined }));
      return { region, kind: "denied", status: res.status, detail: problem.detail ?? "Forbidden" };
    }
    if (res.status !== 200) return (await res.body?.cancel(), { region, kind: "failed", status: res.status, reason: `answered ${res.status}` });
    if (!(res.headers.get("content-type") ?? "").includes("json")) return { region, kind: "ok", body: null, response: res };
    return { region, kind: "ok", body: await res.json() };
  } catch (err) {
    console.error(JSON.stringify({ event: "fan_out_failed", to: region, error: err instanceof Error ? err.message : String(err) }));
    return { region, kind: "failed", status: null, reason: err instanceof Error && err.message === "timed out" ? "timed out" : "unreachable" };
  } finally {
    clearTimeout(timer);
  }
}

function withRegionHeaders(res: Response, report: RegionsReport): Response {
  const out = new Response(res.body, res);
  out.headers.set("x-switchyard-regions", report.answered.join(","));
  if (report.failed.length) out.headers.set("x-switchyard-regions-failed", report.failed.map((f) => f.region).join(","));
  out.headers.set("x-switchyard-partial", String(report.partial));
  return out;
}

function found(outcome: Extract<Outcome, { kind: "ok" }>, report: RegionsReport): Response {
  if (outcome.response) {
    const res = withRegionHeaders(outcome.response, report);
    res.headers.set("x-switchyard-data-region", outcome.region);
    return res;
  }
  const isObject = outcome.body !== null && typeof outcome.body === "object" && !Array.isArray(outcome.body);
  const body = isObject ? { ...(outcome.body as object), region: outcome.region } : outcome.body;
  return withRegionHeaders(Response.json(body), report);
}

/** Why a region's answer counts as missing: for a list read, "not here" means the route is. */
function failuresOf(outcomes: readonly Outcome[], span: RegionSpan): RegionsReport["failed"] {
  const missingFails = "merge" in span && !span.partsMayBeMissing;
  return outcomes.flatMap((o) => {
    if (o.kind === "failed") return [{ region: o.region, status: o.status, reason: o.reason }];
    return o.kind === "missing" && missingFails ? [{ region: o.region, status: 404, reason: "answered 404" }] : [];
  });
}

function problem(status: number, title: string, detail: string, instance: string, report?: RegionsReport): Response {
  const res = problemResponse(new ProblemError(status, title, detail), instance);
  return report ? withRegionHeaders(res, report) : res;
}

/** What the caller asked for, from the regions that answered. */
export interface GatherRequest {
  span: RegionSpan;
  regions: readonly string[];
  request: Request;
  env: Env;
  /** The route's own handler, answering from this region's zone. */
  local: () => Promise<unknown>;
}

/**
 * Answers an admin read from the given regions: this one through `local`, the others over signed
 * forwards.
 * @example return gather({ span: { merge: mergeUsage }, regions, request, env, local: () => route.handler(ctx) })
 */
export async function gather({ span, regions, request, env, local }: GatherRequest): Promise<Response> {
  const edges = parseEdges(env.REGION_EDGES);
  const url = new URL(request.url);
  const outcomes = await Promise.all(regions.map((r) => (r === env.REGION ? localOutcome(r, local) : remoteOutcome(request, env, r, edges[r]))));
  // The caller's role is checked in every region: one refusal refuses the whole read.
  const denied = outcomes.find((o) => o.kind === "denied");
  if (denied) return problem(denied.status, denied.status === 401 ? "Unauthorized" : "Forbidden", `${denied.region}: ${denied.detail}`, url.pathname);
  const failed = failuresOf(outcomes, span);
  const report = regionsReport(regions, failed);
  const ok = outcomes.filter((o): o is Extract<Outcome, { kind: "ok" }> => o.kind === "ok");
  const searched = report.answered.join(", ") || "any region";
  if ("find" in span) {
    if (ok.length) return found(ok[0], report);
    if (!failed.length) return problem(404, "Not Found", `Not found in ${searched}.`, url.pathname, report);
    const down = failed.map((f) => f.region).join(", ");
    return problem(503, "Region Unavailable", `Not found in ${searched}; ${down} did not answer.`, url.pathname, report);
  }
  if (!ok.length && !failed.length) return problem(404, "Not Found", `Not found in ${searched}.`, url.pathname, report);
  const merged = span.merge(ok.map((o): RegionPart => ({ region: o.region, body: o.body })), url.searchParams);
  const body = Array.isArray(merged) ? merged : { ...(merged as object), regions: report };
  return withRegionHeaders(Response.json(body), report);
}
