/**
 * @module
 * GET /admin/v1/teams/{id}/budget: the team's budget for the current period, read from its
 * TeamBudget Durable Object (the only place spend is exact; usage rollups in D1 lag by the queue).
 * Workloads with their own budget are listed beside the team's.
 */
import { TeamPut, WorkloadPut } from "../../config/schemas";
import { nusdToUsd, usdToNusd } from "../../config/money";
import { db, eq, schema, specOf } from "../../config/store";
import { ProblemError } from "../../errors/problem";
import { budgetStub } from "../../guardrails/client";
import type { BudgetStatus } from "../../guardrails/ledger";
import { requireTeamAccess } from "../auth";
import { adminRoute, type AdminRoute } from "../router";
import { parseResourceId as id } from "./catalog";

function view(s: BudgetStatus) {
  return {
    limit_usd: nusdToUsd(s.limitNusd),
    spent_usd: nusdToUsd(s.spentNusd),
    reserved_usd: nusdToUsd(s.reservedNusd),
    remaining_usd: nusdToUsd(s.remainingNusd),
    period: s.period,
    period_start: s.periodStart,
    period_end: s.periodEnd,
  };
}

export const budgetRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "get", path: "/teams/:id/budget", tag: "teams", summary: "The team's budget this period: limit, spent, reserved, remaining", roles: ["finance", "auditor", "team-owner"],
    handler: async ({ env, params, principal }) => {
      const teamId = id(params);
      requireTeamAccess(principal, teamId);
      const row = await db(env).select().from(schema.teams).where(eq(schema.teams.id, teamId)).get();
      if (!row) throw new ProblemError(404, "Not Found", `No team ${teamId}.`);
      const team = specOf<TeamPut>(row);
      const period = team.budget_period ?? "monthly";
      const stub = budgetStub(env, teamId);
      const status = await stub.status("team", usdToNusd(team.monthly_budget_usd), period);
      const workloads = await db(env).select().from(schema.workloads).where(eq(schema.workloads.team, teamId)).all();
      const scoped = [];
      for (const w of workloads) {
        const budget = specOf<WorkloadPut>(w).limits?.budget_usd;
        if (budget !== undefined) scoped.push({ workload: w.id, ...view(await stub.status(`workload:${w.id}`, usdToNusd(budget), period)) });
      }
      return { team: teamId, ...view(status), ...(scoped.length ? { workloads: scoped } : {}) };
    },
  }),
];
