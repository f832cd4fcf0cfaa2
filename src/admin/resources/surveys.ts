/**
 * @module
 * Admin resources of developer NPS: open a round on demand (the quarterly cron opens one too),
 * list rounds, read a round's results (NPS overall, per area and team, response rate, trend),
 * and the investigations a 10-point drop opens, which a person closes with a note.
 */
import { z } from "zod";
import { audit, nowIso } from "../../config/store";
import { ProblemError } from "../../errors/problem";
import { openRound, surveyResults, surveyView, type SurveyRow } from "../../operations/nps/store";
import { adminRoute, type AdminRoute } from "../router";

const SurveyCreate = z.object({ title: z.string().min(1).max(200).optional(), closes_in_days: z.number().int().min(1).max(90).optional() }).strict();
const CloseInvestigation = z.object({ note: z.string().trim().min(1).max(4_000) }).strict();

export const surveyRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "post", path: "/surveys", tag: "surveys",
    summary: "Open a developer survey round now",
    roles: [], body: SurveyCreate, status: 201,
    handler: async ({ env, principal, body }) => surveyView(await openRound(env, { trigger: principal.sub, now: Date.now(), title: body.title, closesInDays: body.closes_in_days })),
  }),
  adminRoute({
    method: "get", path: "/surveys", tag: "surveys",
    summary: "Survey rounds, newest first",
    roles: ["finance", "auditor", "team-owner"],
    handler: async ({ env }) => ({ data: (await env.DB.prepare("SELECT * FROM surveys ORDER BY created_at DESC LIMIT 100").all<SurveyRow>()).results.map((r) => surveyView(r)) }),
  }),
  adminRoute({
    method: "get", path: "/surveys/investigations", tag: "surveys",
    summary: "NPS drop investigations (query: state=open|closed|all)",
    roles: ["finance", "auditor", "team-owner"],
    handler: async ({ env, query }) => {
      const state = query.get("state") ?? "all";
      if (!["open", "closed", "all"].includes(state)) throw new ProblemError(400, "Invalid Query", "state must be open, closed or all.");
      const where = state === "open" ? "WHERE closed_at IS NULL" : state === "closed" ? "WHERE closed_at IS NOT NULL" : "";
      return { data: (await env.DB.prepare(`SELECT * FROM nps_investigations ${where} ORDER BY opened_at DESC LIMIT 200`).all()).results };
    },
  }),
  adminRoute({
    method: "post", path: "/surveys/investigations/:id/close", tag: "surveys",
    summary: "Close an NPS drop investigation with a note",
    roles: [], body: CloseInvestigation,
    handler: async ({ env, params, principal, body }) => {
      const id = String(params.id).slice(0, 128);
      const row = await env.DB.prepare("SELECT closed_at FROM nps_investigations WHERE id = ?").bind(id).first<{ closed_at: string | null }>();
      if (!row) throw new ProblemError(404, "Not Found", `No investigation ${id}.`);
      if (row.closed_at) throw new ProblemError(409, "Already Closed", `Investigation ${id} was closed at ${row.closed_at}.`);
      await env.DB.prepare("UPDATE nps_investigations SET closed_at = ?, closed_by = ?, note = ? WHERE id = ?").bind(nowIso(), principal.sub, body.note, id).run();
      await audit(env, { actor: principal.sub, action: "nps.investigation.close", resource: `nps-investigations/${id}`, detail: { note: body.note } });
      return env.DB.prepare("SELECT * FROM nps_investigations WHERE id = ?").bind(id).first();
    },
  }),
  adminRoute({
    method: "get", path: "/surveys/:id/results", tag: "surveys",
    summary: "NPS overall, per area and team, response rate and trend; opens investigations on 10-point drops",
    roles: ["finance", "auditor", "team-owner"],
    handler: async ({ env, params }) => {
      const id = String(params.id).slice(0, 128);
      const survey = await env.DB.prepare("SELECT * FROM surveys WHERE id = ?").bind(id).first<SurveyRow>();
      if (!survey) throw new ProblemError(404, "Not Found", `No survey ${id}.`);
      return surveyResults(env, survey);
    },
  }),
];
