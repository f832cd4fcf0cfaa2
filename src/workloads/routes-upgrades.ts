/**
 * @module
 * Admin routes for model-upgrade recommendations: `GET /evals/recommendations` (pending ones
 * are decided here once their runs finish) and `POST /evals/recommendations/{id}/accept`.
 */
import { desc, eq } from "drizzle-orm";
import { adminRoute, type AdminRoute } from "../admin/router";
import { audit, db } from "../config/store";
import { evalRecommendations } from "../db/workloads-schema";
import { ProblemError } from "../errors/problem";
import { recommendationView, settleRecommendation } from "./upgrades";

export const upgradeRoutes: AdminRoute<unknown>[] = [
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
    summary: "Accept a decided recommendation (recorded with who accepted it, and audited)",
    handler: async ({ env, params, principal }) => {
      const id = String(params.id).slice(0, 64);
      const row = await db(env).select().from(evalRecommendations).where(eq(evalRecommendations.id, id)).get();
      if (!row) throw new ProblemError(404, "Not Found", `No recommendation ${id}.`);
      const settled = await settleRecommendation(env, row);
      if (settled.decision === "pending") throw new ProblemError(409, "Not Decided", `Recommendation ${id} waits for its runs to finish.`);
      if (settled.status === "accepted") return recommendationView(settled);
      await db(env).update(evalRecommendations).set({ status: "accepted", acceptedBy: principal.sub }).where(eq(evalRecommendations.id, id));
      await audit(env, { actor: principal.sub, action: "eval.recommendation.accept", resource: `models/${settled.model}`, detail: { recommendation: id, decision: settled.decision } });
      return recommendationView({ ...settled, status: "accepted", acceptedBy: principal.sub });
    },
  }),
];
