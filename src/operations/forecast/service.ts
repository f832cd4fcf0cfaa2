/**
 * @module
 * Forecasts of the organisation's real data: loads spend history, teams, workloads and planned
 * changes once ({@link loadForecastContext}), then forecasts any scope from it in memory
 * ({@link forecastScope}) with the budget projection of that scope's current period.
 */
import type { Env } from "../../env";
import type { TeamPut, WorkloadPut } from "../../config/schemas";
import { periodBounds, type BudgetPeriod } from "../../guardrails/period";
import { usdToNusd } from "../../config/money";
import { loadSpendFacts, dailySeries, scopeMix, type SpendFacts } from "../spend/history";
import { nusdToUsdNumber } from "../spend/money";
import { adjustmentsFor, type ForecastScope, type PlannedChange } from "./adjustments";
import { addDays, isoDay } from "./dates";
import { projectExhaustion } from "./exhaustion";
import { forecastSpend, type SeriesForecast } from "./index";
import { configDb } from "../../config/control-db";

/** Days of history a forecast reads (the backtest uses the last 30 of them). */
export const HISTORY_DAYS = 120;
export const HORIZONS = [30, 60, 90] as const;

export interface ForecastContext {
  today: string;
  data: SpendFacts;
  teams: Record<string, TeamPut>;
  workloads: Record<string, WorkloadPut>;
  changes: PlannedChange[];
}

export interface BudgetProjection {
  limit_nusd: number;
  period: string;
  period_end: string;
  spent_nusd: number;
  projected_nusd: number;
  exhaustion_date: string | null;
}

export interface ScopeForecast {
  scope: ForecastScope;
  subject: string;
  forecast: SeriesForecast;
  adjustments_applied: string[];
  budget: BudgetProjection | null;
}

/** @example const ctx = await loadForecastContext(env, Date.now()) */
export async function loadForecastContext(env: Pick<Env, "DB">, now: number, team?: string): Promise<ForecastContext> {
  const today = isoDay(now);
  const [data, teams, workloads, changes] = await Promise.all([
    loadSpendFacts(env.DB, { from: addDays(today, -HISTORY_DAYS), to: addDays(today, -1), team }),
    configDb(env).prepare("SELECT id, spec FROM teams").all<{ id: string; spec: string }>(),
    configDb(env).prepare("SELECT id, spec FROM workloads").all<{ id: string; spec: string }>(),
    env.DB.prepare("SELECT * FROM forecast_adjustments ORDER BY created_at").all<PlannedChange & { created_by: string }>(),
  ]);
  return {
    today,
    data,
    teams: Object.fromEntries(teams.results.map((r) => [r.id, JSON.parse(r.spec) as TeamPut])),
    workloads: Object.fromEntries(workloads.results.map((r) => [r.id, JSON.parse(r.spec) as WorkloadPut])),
    changes: changes.results,
  };
}

function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The budget that applies to a scope, with its period: team budgets, workload limits, the sum for the org. */
function budgetOf(ctx: ForecastContext, scope: ForecastScope, subject: string): { limit: number; period: BudgetPeriod } | null {
  if (scope === "team") {
    const t = ctx.teams[subject];
    return t ? { limit: usdToNusd(t.monthly_budget_usd), period: t.budget_period ?? "monthly" } : null;
  }
  if (scope === "workload") {
    const w = ctx.workloads[subject];
    const limit = w?.limits?.budget_usd;
    return w && limit !== undefined ? { limit: usdToNusd(limit), period: ctx.teams[w.team]?.budget_period ?? "monthly" } : null;
  }
  const monthly = Object.values(ctx.teams).filter((t) => (t.budget_period ?? "monthly") === "monthly");
  return monthly.length ? { limit: monthly.reduce((a, t) => a + usdToNusd(t.monthly_budget_usd), 0), period: "monthly" } : null;
}

/**
 * @example forecastScope(ctx, { scope: "team", subject: "support", horizon: 30 }).forecast.total.p50
 */
export function forecastScope(ctx: ForecastContext, opts: { scope: ForecastScope; subject: string; horizon: number; totalsFor?: number[]; backtest?: boolean }): ScopeForecast {
  const yesterday = addDays(ctx.today, -1);
  const series = dailySeries(ctx.data, { scope: opts.scope, subject: opts.subject, from: addDays(ctx.today, -HISTORY_DAYS), to: yesterday });
  // At least to the end of a month so the budget projection always reaches the period's end.
  const horizon = Math.max(opts.horizon, 31);
  const teamOfWorkload = Object.fromEntries(Object.entries(ctx.workloads).map(([id, w]) => [id, w.team]));
  const mix = scopeMix(ctx.data, { scope: opts.scope, subject: opts.subject, to: yesterday, teamOfWorkload });
  const adjust = adjustmentsFor(ctx.changes, mix, ctx.today, horizon);
  const totalsFor = [...new Set([opts.horizon, ...(opts.totalsFor ?? [])])];
  const full = forecastSpend({ history: series.values, start: ctx.today, horizon, adjust, seed: seedOf(`${opts.scope}:${opts.subject}`), totalsFor, backtest: opts.backtest });
  const forecast = { ...full, daily: full.daily.slice(0, opts.horizon), total: full.totals[opts.horizon] };
  const budget = budgetOf(ctx, opts.scope, opts.subject);
  let projection: BudgetProjection | null = null;
  if (budget) {
    const bounds = periodBounds(budget.period, Date.parse(`${ctx.today}T00:00:00Z`));
    const periodStart = isoDay(bounds.start);
    const periodEnd = isoDay(bounds.end - 1);
    const spent = series.values.reduce((a, v, i) => (addDays(series.start, i) >= periodStart ? a + v : a), 0);
    const p = projectExhaustion({ spentNusd: spent, limitNusd: budget.limit, periodEnd, daily: full.daily });
    projection = { limit_nusd: budget.limit, period: bounds.label, period_end: periodEnd, spent_nusd: spent, projected_nusd: p.projected_nusd, exhaustion_date: p.exhaustion_date };
  }
  return { scope: opts.scope, subject: opts.subject, forecast, adjustments_applied: adjust.applied, budget: projection };
}

/** The wire shape of GET /admin/v1/forecasts, dollars as JSON numbers. */
export function forecastView(f: ScopeForecast, generatedAt: string) {
  const usd = (q: { p50: number; p10: number; p90: number }) => ({ p50: nusdToUsdNumber(q.p50), p10: nusdToUsdNumber(q.p10), p90: nusdToUsdNumber(q.p90) });
  return {
    generated_at: generatedAt,
    scope: f.scope,
    id: f.subject,
    horizon: f.forecast.daily.length,
    method: f.forecast.method,
    history_days: f.forecast.history_days,
    daily: f.forecast.daily.map((d) => ({ date: d.date, ...usd(d) })),
    total: usd(f.forecast.total),
    backtest: f.forecast.backtest,
    adjustments_applied: f.adjustments_applied,
    budget: f.budget && {
      limit_usd: nusdToUsdNumber(f.budget.limit_nusd),
      period: f.budget.period,
      period_end: f.budget.period_end,
      spent_usd: nusdToUsdNumber(f.budget.spent_nusd),
      projected_spend_usd: nusdToUsdNumber(f.budget.projected_nusd),
      exhaustion_date: f.budget.exhaustion_date,
    },
  };
}
