/**
 * @module
 * Gathers the monthly finance report: actual spend by team, workload, model and provider against
 * budget, last month and forecast; 30/60/90-day forecasts with intervals; teams heading for
 * exhaustion; cache savings; past forecast accuracy; top movers. Actuals are gateway-observed
 * (usage_daily), the same rows GET /admin/v1/usage sums and the CSV attachment lists.
 */
import type { Env } from "../../env";
import { usdToNusd } from "../../config/money";
import { addDays, daysBetween, monthBounds, previousMonth } from "../forecast/dates";
import { forecastScope, loadForecastContext } from "../forecast/service";
import { ACCURACY_THRESHOLD } from "../forecast/jobs";
import type { FinanceReportData, HorizonForecast, SpendLine } from "./types";

interface RollupRow { team: string; workload: string; model: string; provider: string; cost_nusd: number; requests: number; errors: number; cache_hits: number }

const PERIOD_DAYS = { daily: 1, weekly: 7 } as const;

function lines(cur: RollupRow[], prev: RollupRow[], key: (r: RollupRow) => string): SpendLine[] {
  const map = new Map<string, SpendLine>();
  const line = (k: string) => map.get(k) ?? (map.set(k, { key: k, actual_nusd: 0, previous_nusd: 0 }), map.get(k)!);
  for (const r of cur) line(key(r)).actual_nusd += r.cost_nusd;
  for (const r of prev) line(key(r)).previous_nusd += r.cost_nusd;
  return [...map.values()].sort((a, b) => b.actual_nusd - a.actual_nusd || a.key.localeCompare(b.key));
}

async function rollups(db: D1Database, first: string, last: string): Promise<RollupRow[]> {
  const r = await db.prepare(`SELECT team, workload, model, provider, SUM(cost_nusd) AS cost_nusd, SUM(requests) AS requests, SUM(errors) AS errors,
    SUM(cache_hits) AS cache_hits FROM usage_daily WHERE day >= ? AND day <= ? GROUP BY team, workload, model, provider`).bind(first, last).all<RollupRow>();
  return r.results.map((x) => ({ ...x, cost_nusd: Number(x.cost_nusd) }));
}

/**
 * @example const data = await buildFinanceReport(env, "2026-11", Date.now());
 */
export async function buildFinanceReport(env: Env, period: string, now: number): Promise<FinanceReportData> {
  const { first, last } = monthBounds(period);
  const prev = monthBounds(previousMonth(period));
  const [cur, before, daily, accuracy, ctx] = await Promise.all([
    rollups(env.DB, first, last),
    rollups(env.DB, prev.first, prev.last),
    env.DB.prepare("SELECT day, SUM(cost_nusd) AS cost FROM usage_daily WHERE day >= ? AND day <= ? GROUP BY day ORDER BY day").bind(first, last).all<{ day: string; cost: number }>(),
    env.DB.prepare("SELECT * FROM forecast_accuracy WHERE scope IN ('org', 'team') AND month <= ? ORDER BY month DESC, scope DESC, subject LIMIT 60").bind(period)
      .all<{ month: string; scope: string; subject: string; made_on: string; forecast_nusd: number; actual_nusd: number; error: number }>(),
    loadForecastContext(env, now),
  ]);
  const days = daysBetween(first, last) + 1;
  const monthBudget = (team: string) => {
    const t = ctx.teams[team];
    if (!t) return null;
    const period = t.budget_period ?? "monthly";
    const limit = usdToNusd(t.monthly_budget_usd);
    return period === "monthly" ? limit : Math.round((limit * days) / PERIOD_DAYS[period]);
  };
  const forecastOf = (scope: string, id: string) => accuracy.results.find((a) => a.month === period && a.scope === scope && a.subject === id)?.forecast_nusd ?? null;

  const byTeam = lines(cur, before, (r) => r.team);
  for (const t of Object.keys(ctx.teams)) if (!byTeam.some((l) => l.key === t)) byTeam.push({ key: t, actual_nusd: 0, previous_nusd: 0 });
  for (const l of byTeam) Object.assign(l, { name: ctx.teams[l.key]?.name, budget_nusd: monthBudget(l.key), forecast_nusd: forecastOf("team", l.key) });

  const forecasts: HorizonForecast[] = [];
  const scopes = [{ scope: "org" as const, id: "org" }, ...Object.keys(ctx.teams).sort().map((id) => ({ scope: "team" as const, id }))];
  const exhaustion: FinanceReportData["exhaustion"] = [];
  let forecastDaily: FinanceReportData["forecast_daily"] = [];
  for (const s of scopes) {
    const f = forecastScope(ctx, { scope: s.scope, subject: s.id, horizon: 90, totalsFor: [30, 60, 90] });
    const h = (n: 30 | 60 | 90) => ({ p50_nusd: f.forecast.totals[n].p50, p10_nusd: f.forecast.totals[n].p10, p90_nusd: f.forecast.totals[n].p90 });
    forecasts.push({ scope: s.scope, id: s.id, name: ctx.teams[s.id]?.name, method: f.forecast.method, smape: f.forecast.backtest.smape, horizons: { 30: h(30), 60: h(60), 90: h(90) } });
    if (s.scope === "org") forecastDaily = f.forecast.daily.map((d) => ({ date: d.date, p50_nusd: d.p50, p10_nusd: d.p10, p90_nusd: d.p90 }));
    if (s.scope === "team" && f.budget?.exhaustion_date) {
      const { period, limit_nusd, projected_nusd, exhaustion_date } = f.budget;
      exhaustion.push({ team: s.id, name: ctx.teams[s.id]?.name, period, limit_nusd, projected_nusd, exhaustion_date });
    }
  }

  // Cache savings: each hit priced at the average cost of a served miss of the same workload, model and provider.
  let hits = 0;
  let saved = 0;
  for (const r of cur) {
    const paid = r.requests - r.cache_hits - r.errors;
    hits += r.cache_hits;
    if (paid > 0 && r.cache_hits > 0) saved += Math.round((r.cost_nusd / paid) * r.cache_hits);
  }

  const teamOfWorkload = Object.fromEntries(cur.concat(before).map((r) => [r.workload, r.team]));
  const movers = lines(cur, before, (r) => r.workload)
    .map((l) => ({ workload: l.key, team: teamOfWorkload[l.key] ?? "-", actual_nusd: l.actual_nusd, previous_nusd: l.previous_nusd, change_nusd: l.actual_nusd - l.previous_nusd }))
    .sort((a, b) => Math.abs(b.change_nusd) - Math.abs(a.change_nusd))
    .slice(0, 5);

  const dailyMap = new Map(daily.results.map((d) => [d.day, Number(d.cost)]));
  const sum = (rows: RollupRow[]) => rows.reduce((a, r) => a + r.cost_nusd, 0);
  return {
    kind: "finance",
    period,
    period_days: { first, last },
    generated_at: new Date(now).toISOString(),
    org: { name: "Organisation" },
    totals: {
      actual_nusd: sum(cur),
      previous_nusd: sum(before),
      budget_nusd: Object.keys(ctx.teams).reduce((a, t) => a + (monthBudget(t) ?? 0), 0),
      forecast_nusd: forecastOf("org", "org"),
      requests: cur.reduce((a, r) => a + r.requests, 0),
    },
    by_team: byTeam.sort((a, b) => b.actual_nusd - a.actual_nusd || a.key.localeCompare(b.key)),
    by_workload: lines(cur, before, (r) => r.workload),
    by_model: lines(cur, before, (r) => r.model),
    by_provider: lines(cur, before, (r) => r.provider),
    daily: Array.from({ length: days }, (_, i) => addDays(first, i)).map((date) => ({ date, actual_nusd: dailyMap.get(date) ?? 0 })),
    forecasts,
    forecast_daily: forecastDaily,
    exhaustion,
    cache_savings: { hits, estimated_saved_nusd: saved },
    accuracy: accuracy.results.map((a) => ({
      month: a.month, scope: a.scope, id: a.subject, made_on: a.made_on, forecast_nusd: a.forecast_nusd, actual_nusd: a.actual_nusd,
      error: a.error, flagged: a.error > ACCURACY_THRESHOLD,
    })),
    top_movers: movers,
    csv_rows: 0,
  };
}
