/**
 * @module
 * Admin routes of the Stage 3 self-assessment (mounted by src/admin/index.ts). Reading is for
 * admin, auditor and finance; team owners see only their team elsewhere, never the whole
 * organisation's scorecard. Changes (snapshots, closing, decisions) are admin; auditors may tick
 * annual review items.
 */
import { z } from "zod";
import { adminRoute, type AdminRoute } from "../admin/router";
import type { Env } from "../env";
import { ProblemError } from "../errors/problem";
import { GatewayError } from "../errors/openai";
import { DEFAULT_MAX_BODY_BYTES, parseJsonBody, readBodyText } from "../gateway/body";
import { assess } from "./assess";
import { gatherFacts, type FactsCaller } from "./gather-facts";
import { gatherZoneFacts, mergeZoneFactsParts } from "./zone-facts";
import { decideRecommendation, listRecommendations, syncRecommendations } from "./recommendations";
import { completeItem, generateReview, listReviews } from "./reviews";
import { closeInvestigation, listInvestigations, listSnapshots, takeSnapshot } from "./snapshots";
import { LAYER_IDS, type LayerId } from "./types";

const READERS = ["auditor", "finance"] as const;
const Note = z.object({ note: z.string().trim().min(1).max(4000) }).strict();
const Reason = z.object({ reason: z.string().trim().min(1).max(2000) }).strict();
const ReviewCreate = z.object({ year: z.number().int().min(2000).max(2100).optional() }).strict();
const ItemComplete = z.object({ note: z.string().trim().min(1).max(2000).optional() }).strict();

function layerParam(q: URLSearchParams): LayerId | undefined {
  const layer = q.get("layer");
  if (layer === null) return undefined;
  if (!(LAYER_IDS as readonly string[]).includes(layer)) throw new ProblemError(400, "Invalid Query", `layer must be one of ${LAYER_IDS.join(", ")}.`);
  return layer as LayerId;
}

function limitParam(q: URLSearchParams, fallback: number, max: number): number {
  const raw = q.get("limit");
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new ProblemError(400, "Invalid Query", `limit must be an integer from 1 to ${max}.`);
  return n;
}

/**
 * A body that may be absent (these POSTs work with no body at all), validated when present.
 * @example const body = await optionalBody(ReviewCreate, request, env); // {} when empty
 */
async function optionalBody<T>(schema: z.ZodType<T>, request: Request, env: Pick<Env, "MAX_BODY_BYTES">): Promise<T> {
  let raw: unknown = {};
  try {
    const text = await readBodyText(request, Number(env.MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES));
    if (text.trim() !== "") raw = parseJsonBody(text);
  } catch (err) {
    if (err instanceof GatewayError) throw new ProblemError(err.status, err.status === 413 ? "Payload Too Large" : "Invalid Request Body", err.message);
    throw err;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ProblemError(400, "Invalid Request Body", parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; "));
  return parsed.data;
}

/** The caller's own token and origin: every region checks the caller's role for its zone facts. */
const callerOf = (request: Request): FactsCaller => ({ authorization: request.headers.get("authorization"), origin: new URL(request.url).origin });

const idParam = (p: Record<string, string>, name: string): string => String(p[name] ?? "").slice(0, 200);

export const maturityRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "get", path: "/maturity", tag: "maturity", roles: READERS,
    summary: "Live Stage 3 self-assessment: every exit criterion with status, evidence and what is missing (query: layer)",
    handler: async ({ env, query, request }) => {
      const layer = layerParam(query);
      return assess(await gatherFacts(env, Date.now(), callerOf(request)), { layer });
    },
  }),
  adminRoute({
    method: "get", path: "/maturity/zone-facts", tag: "maturity", roles: READERS,
    summary: "The zone records the assessment reads (reports, incidents, forecasts, agent calls...), gathered from every region; used by /maturity and the quarterly snapshot",
    spansRegions: { merge: mergeZoneFactsParts },
    // The quarterly snapshot runs from a cron with no caller: it asks as the system (signed forward).
    systemReadable: true,
    handler: async ({ env }) => gatherZoneFacts(env),
  }),
  adminRoute({
    method: "get", path: "/maturity/history", tag: "maturity", roles: READERS,
    summary: "Score history (snapshots), newest first (query: limit)",
    handler: async ({ env, query }) => ({ snapshots: await listSnapshots(env, limitParam(query, 40, 200)) }),
  }),
  adminRoute({
    method: "post", path: "/maturity/snapshots", tag: "maturity", roles: [], status: 201,
    summary: "Take a snapshot now (a decrease opens an investigation)",
    handler: async ({ env, principal, request }) => takeSnapshot(env, { trigger: "manual", actor: principal.sub, now: Date.now(), caller: callerOf(request) }),
  }),
  adminRoute({
    method: "get", path: "/maturity/investigations", tag: "maturity", roles: READERS,
    summary: "Investigations opened by score decreases",
    handler: async ({ env }) => ({ investigations: await listInvestigations(env) }),
  }),
  adminRoute({
    method: "post", path: "/maturity/investigations/:id/close", tag: "maturity", roles: [], body: Note,
    summary: "Close a score-decrease investigation with what was found",
    handler: async ({ env, params, principal, body }) => closeInvestigation(env, { id: idParam(params, "id"), actor: principal.sub, note: body.note }),
  }),
  adminRoute({
    method: "get", path: "/maturity/reviews", tag: "maturity", roles: READERS,
    summary: "Annual framework review checklists, newest first",
    handler: async ({ env }) => ({ reviews: await listReviews(env) }),
  }),
  adminRoute({
    method: "post", path: "/maturity/reviews", tag: "maturity", roles: [], bodyDoc: { schema: ReviewCreate }, status: 201,
    summary: "Generate the annual review checklist of a year (default this year; body optional); answers 200 with the existing one",
    handler: async ({ env, principal, request }) => {
      const body = await optionalBody(ReviewCreate, request, env);
      const { review, created } = await generateReview(env, { year: body.year ?? new Date().getUTCFullYear(), actor: principal.sub, now: Date.now() });
      return created ? review : Response.json(review, { status: 200 });
    },
  }),
  adminRoute({
    method: "post", path: "/maturity/reviews/:id/items/:item/complete", tag: "maturity", roles: ["auditor"], bodyDoc: { schema: ItemComplete },
    summary: "Mark an annual review item done (body optional: {\"note\"})",
    handler: async ({ env, params, principal, request }) => {
      const { note } = await optionalBody(ItemComplete, request, env);
      return completeItem(env, { reviewId: idParam(params, "id"), itemId: idParam(params, "item"), actor: principal.sub, note });
    },
  }),
  adminRoute({
    method: "get", path: "/maturity/recommendations", tag: "maturity", roles: READERS,
    summary: "Recommendations, one per not-met criterion (refreshed from the live assessment; query: status)",
    handler: async ({ env, query, request }) => {
      const status = query.get("status") ?? undefined;
      if (status && !["open", "accepted", "dismissed"].includes(status)) throw new ProblemError(400, "Invalid Query", "status must be open, accepted or dismissed.");
      const now = Date.now();
      await syncRecommendations(env, assess(await gatherFacts(env, now, callerOf(request))), now);
      return { recommendations: await listRecommendations(env, status) };
    },
  }),
  ...(["accept", "dismiss"] as const).map((verb) =>
    adminRoute({
      method: "post", path: `/maturity/recommendations/:id/${verb}`, tag: "maturity", roles: [], body: Reason,
      summary: `${verb === "accept" ? "Accept" : "Dismiss"} a recommendation (recorded in the audit log)`,
      handler: async ({ env, params, principal, body }) =>
        decideRecommendation(env, { id: idParam(params, "id"), decision: verb === "accept" ? "accepted" : "dismissed", actor: principal.sub, reason: body.reason }),
    }),
  ),
];
