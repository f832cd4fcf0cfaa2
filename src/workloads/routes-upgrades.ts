/**
 * @module
 * Admin routes for model upgrades: recording a candidate version of a catalog target
 * (`POST /models/{id}/candidates`, evaluated before it goes live), listing candidates, and the
 * recommendations (`GET /evals/recommendations`; pending ones are decided here once their runs
 * finish) with `POST /evals/recommendations/{id}/accept` and `.../dismiss`.
 */
import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import { adminRoute, type AdminRoute } from "../admin/router";
import { ResourceId } from "../config/schemas";
import { db } from "../config/store";
import { evalRecommendations } from "../db/workloads-schema";
import { ProblemError } from "../errors/problem";
import { GatewayError } from "../errors/openai";
import { DEFAULT_MAX_BODY_BYTES, parseJsonBody, readBodyText } from "../gateway/body";
import { acceptRecommendation, candidateView, dismissRecommendation, listCandidates, recordCandidate } from "./candidates";
import { recommendationView, settleRecommendation } from "./upgrades";

const CandidatePost = z.object({ provider: z.string().min(1).max(64), model: z.string().min(1).max(128) }).strict();

const AcceptBody = z
  .object({ override: z.boolean().optional(), reason: z.string().trim().min(1).max(500).optional() })
  .strict()
  .refine((b) => b.override !== true || b.reason !== undefined, { message: "an override needs a reason", path: ["reason"] });
const DismissBody = z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict();

/** An optional JSON body: none (or empty) is `{}`; anything else must match the schema. */
async function optionalBody<T>(request: Request, schema: z.ZodType<T>, maxBytes: number): Promise<T> {
  let text: string;
  try {
    text = await readBodyText(request, maxBytes);
  } catch (err) {
    if (err instanceof GatewayError) throw new ProblemError(err.status, "Invalid Request Body", err.message);
    throw err;
  }
  let raw: unknown = {};
  if (text.trim() !== "") {
    try {
      raw = parseJsonBody(text);
    } catch (err) {
      throw new ProblemError(400, "Invalid Request Body", err instanceof Error ? err.message : "not JSON");
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ProblemError(400, "Invalid Request Body", parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; "));
  return parsed.data;
}

function modelId(params: Record<string, string>): string {
  const parsed = ResourceId.safeParse(params.id);
  if (!parsed.success) throw new ProblemError(400, "Invalid Id", `"${String(params.id).slice(0, 80)}": ${parsed.error.issues[0].message}`);
  return parsed.data;
}

async function recommendation(env: Parameters<typeof db>[0], params: Record<string, string>) {
  const id = String(params.id).slice(0, 64);
  const row = await db(env).select().from(evalRecommendations).where(eq(evalRecommendations.id, id)).get();
  if (!row) throw new ProblemError(404, "Not Found", `No recommendation ${id}.`);
  return row;
}

export const upgradeRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "post", path: "/models/:id/candidates", tag: "evaluations", roles: [], body: CandidatePost, status: 201,
    summary: "Record a candidate version of a catalog target and evaluate it before it goes live (idempotent per provider+model)",
    handler: async ({ env, params, body, principal }) => {
      const r = await recordCandidate(env, { model: modelId(params), provider: body.provider, to_model: body.model, source: "admin", actor: principal.sub });
      return { ...candidateView(r.candidate), created: r.created, recommendations: r.recommendations };
    },
  }),
  adminRoute({
    method: "get", path: "/models/:id/candidates", tag: "evaluations", roles: ["auditor"], summary: "Candidate versions of a catalog model's targets",
    handler: async ({ env, params }) => ({ data: (await listCandidates(env, modelId(params))).map(candidateView) }),
  }),
  adminRoute({
    method: "get", path: "/evals/recommendations", tag: "evaluations", roles: ["auditor"],
    summary: "Model-upgrade recommendations (promote or flag with regressions; pending while runs are in progress)",
    handler: async ({ env }) => {
      const rows = await db(env).select().from(evalRecommendations).orderBy(desc(evalRecommendations.createdAt)).limit(100).all();
      return { data: (await Promise.all(rows.map((r) => settleRecommendation(env, r)))).map(recommendationView) };
    },
  }),
  adminRoute({
    method: "post", path: "/evals/recommendations/:id/accept", tag: "evaluations", roles: [],
    summary: "Accept a decided recommendation: a candidate is promoted into the catalog (a flag needs {\"override\":true,\"reason\"})",
    bodyDoc: { schema: AcceptBody },
    handler: async ({ env, params, principal, request }) => {
      const row = await recommendation(env, params);
      const body = await optionalBody(request, AcceptBody, Number(env.MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES));
      return acceptRecommendation(env, row, principal.sub, body);
    },
  }),
  adminRoute({
    method: "post", path: "/evals/recommendations/:id/dismiss", tag: "evaluations", roles: [],
    summary: "Dismiss a recommendation (for a candidate: the candidate and all its recommendations)",
    bodyDoc: { schema: DismissBody },
    handler: async ({ env, params, principal, request }) => {
      const row = await recommendation(env, params);
      const body = await optionalBody(request, DismissBody, Number(env.MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES));
      return dismissRecommendation(env, row, principal.sub, body.reason);
    },
  }),
];
