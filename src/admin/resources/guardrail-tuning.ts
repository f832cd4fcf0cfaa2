/**
 * @module
 * Admin resources of guardrail auto-tuning: the recommendations the weekly job writes, with their
 * evidence, and a person's decision on each (apply, which records before-metrics and schedules the
 * impact measurement, or dismiss with a note). Security recommendations are applied only here.
 */
import { z } from "zod";
import { audit, nowIso } from "../../config/store";
import type { Env } from "../../env";
import { ProblemError } from "../../errors/problem";
import { applyRecommendation, recommendationView, type RecommendationRow } from "../../operations/tuning/apply";
import { runGuardrailTuning } from "../../operations/tuning/job";
import { requireTeamAccess } from "../auth";
import { adminRoute, type AdminRoute } from "../router";

const Query = z.object({
  status: z.enum(["open", "applied", "dismissed"]).optional(),
  guardrail: z.enum(["rpm_limit", "tpm_limit", "dlp_rule", "budget_alert"]).optional(),
  team: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
const Decision = z.object({ note: z.string().max(2_000).optional() }).strict();

async function recommendation(env: Env, id: string): Promise<RecommendationRow> {
  const row = await env.DB.prepare("SELECT * FROM guardrail_recommendations WHERE id = ?").bind(id.slice(0, 128)).first<RecommendationRow>();
  if (!row) throw new ProblemError(404, "Not Found", `No recommendation ${id.slice(0, 128)}.`);
  return row;
}

export const guardrailTuningRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "get", path: "/guardrails/recommendations", tag: "guardrails",
    summary: "Tuning recommendations with evidence (query: status, guardrail, team, limit)",
    roles: ["finance", "auditor", "team-owner"],
    handler: async ({ env, query, principal }) => {
      const q = Query.safeParse(Object.fromEntries(query));
      if (!q.success) throw new ProblemError(400, "Invalid Query", q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
      const team = principal.role === "team-owner" ? principal.team : q.data.team;
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.data.status) (where.push("status = ?"), args.push(q.data.status));
      if (q.data.guardrail) (where.push("guardrail = ?"), args.push(q.data.guardrail));
      if (team) (where.push("team = ?"), args.push(team));
      const rows = await env.DB.prepare(`SELECT * FROM guardrail_recommendations ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC LIMIT ?`)
        .bind(...args, q.data.limit).all<RecommendationRow>();
      return { data: rows.results.map(recommendationView) };
    },
  }),
  adminRoute({
    method: "post", path: "/guardrails/recommendations/run", tag: "guardrails",
    summary: "Run the weekly tuning analysis now",
    roles: [],
    handler: async ({ env }) => runGuardrailTuning(env, Date.now()),
  }),
  adminRoute({
    method: "post", path: "/guardrails/recommendations/:id/apply", tag: "guardrails",
    summary: "Apply a recommendation (records before-metrics; impact measured 14 days later)",
    roles: ["team-owner"], body: Decision,
    handler: async ({ env, params, principal, body }) => {
      const row = await recommendation(env, params.id);
      // Team owners decide on their team's limits; security guardrails need an admin.
      if (principal.role === "team-owner") {
        if (row.security === 1) throw new ProblemError(403, "Forbidden", "Security guardrail changes need an admin.");
        requireTeamAccess(principal, row.team ?? "");
      }
      await applyRecommendation(env, row, principal.sub);
      if (body.note) await env.DB.prepare("UPDATE guardrail_recommendations SET note = ? WHERE id = ?").bind(body.note, row.id).run();
      return recommendationView(await recommendation(env, row.id));
    },
  }),
  adminRoute({
    method: "post", path: "/guardrails/recommendations/:id/dismiss", tag: "guardrails",
    summary: "Dismiss a recommendation with a note",
    roles: ["team-owner"], body: Decision,
    handler: async ({ env, params, principal, body }) => {
      const row = await recommendation(env, params.id);
      if (principal.role === "team-owner") requireTeamAccess(principal, row.team ?? "");
      if (row.status !== "open") throw new ProblemError(409, "Already Decided", `Recommendation ${row.id} is ${row.status}.`);
      await env.DB.prepare("UPDATE guardrail_recommendations SET status = 'dismissed', decided_by = ?, decided_at = ?, note = ? WHERE id = ? AND status = 'open'")
        .bind(principal.sub, nowIso(), body.note ?? null, row.id).run();
      await audit(env, { actor: principal.sub, action: "guardrail_recommendation.dismiss", resource: `guardrail-recommendations/${row.id}`, detail: { note: body.note ?? null } });
      return recommendationView(await recommendation(env, row.id));
    },
  }),
];
