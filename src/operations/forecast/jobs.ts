/**
 * @module
 * The daily finance job: store today's forecast of every scope, score past months' forecasts
 * against their actuals (alerting once per month and scope above 15% error), and raise or
 * withdraw budget-exhaustion warnings (once per team and period).
 */
import type { Env } from "../../env";
import { raiseAlert } from "../alerts";
import { dailySeries } from "../spend/history";
import { formatUsd } from "../spend/money";
import type { ForecastScope } from "./adjustments";
import { addDays, monthBounds, previousMonth } from "./dates";
import { forecastSpend } from "./index";
import { forecastScope, HISTORY_DAYS, loadForecastContext, type ForecastContext } from "./service";

export const ACCURACY_THRESHOLD = 0.15;
/** Months scored back from the last complete one (snapshots, or a reconstructed forecast if none). */
const ACCURACY_MONTHS = 3;

/** Every scope the organisation has: org, each team, each workload. */
export function allScopes(ctx: ForecastContext): Array<{ scope: ForecastScope; subject: string }> {
  return [
    { scope: "org", subject: "org" },
    ...Object.keys(ctx.teams).sort().map((subject) => ({ scope: "team" as const, subject })),
    ...Object.keys(ctx.workloads).sort().map((subject) => ({ scope: "workload" as const, subject })),
  ];
}

/** Stores today's 90-day central forecast per scope (idempotent per day). */
export async function snapshotForecasts(env: Env, ctx: ForecastContext): Promise<number> {
  const statements = allScopes(ctx).map(({ scope, subject }) => {
    const f = forecastScope(ctx, { scope, subject, horizon: 90, backtest: false });
    return env.DB.prepare("INSERT OR REPLACE INTO forecast_snapshots (made_on, scope, subject, method, daily) VALUES (?, ?, ?, ?, ?)")
      .bind(ctx.today, scope, subject, f.forecast.method, JSON.stringify(f.forecast.daily.map((d) => d.p50)));
  });
  if (statements.length) await env.DB.batch(statements);
  return statements.length;
}

/** |forecast − actual| ÷ actual; 0 when both are 0, 1 when only the actual is. @example monthError(115, 100) === 0.15 */
export function monthError(forecast: number, actual: number): number {
  if (actual === 0) return forecast === 0 ? 0 : 1;
  return Math.abs(forecast - actual) / actual;
}

/**
 * The forecast a month had: the last snapshot made on or before its first day; else (history from
 * before snapshots existed) the same method run on the history up to that day, labelled reconstructed.
 */
async function monthForecast(env: Env, ctx: ForecastContext, month: string, scope: ForecastScope, subject: string): Promise<{ madeOn: string; nusd: number } | null> {
  const { first, last } = monthBounds(month);
  const snap = await env.DB.prepare("SELECT made_on, daily FROM forecast_snapshots WHERE scope = ? AND subject = ? AND made_on <= ? ORDER BY made_on DESC LIMIT 1")
    .bind(scope, subject, first).first<{ made_on: string; daily: string }>();
  if (snap && addDays(snap.made_on, 90) > last) {
    const daily = JSON.parse(snap.daily) as number[];
    let sum = 0;
    for (let i = 0; i < daily.length; i++) {
      const day = addDays(snap.made_on, i);
      if (day >= first && day <= last) sum += daily[i];
    }
    return { madeOn: snap.made_on, nusd: sum };
  }
  const history = dailySeries(ctx.data, { scope, subject, from: addDays(first, -HISTORY_DAYS), to: addDays(first, -1) });
  if (history.values.length < 14) return null;
  const days = Number(last.slice(8, 10));
  const f = forecastSpend({ history: history.values, start: first, horizon: days, backtest: false });
  return { madeOn: `${first} (reconstructed)`, nusd: f.total.p50 };
}

/** Scores complete months for org and teams; raises one alert per month and scope above the threshold. */
export async function scoreForecasts(env: Env, ctx: ForecastContext): Promise<number> {
  let scored = 0;
  let month = previousMonth(ctx.today.slice(0, 7));
  const scopes = allScopes(ctx).filter((s) => s.scope !== "workload");
  for (let k = 0; k < ACCURACY_MONTHS; k++, month = previousMonth(month)) {
    const { first, last } = monthBounds(month);
    if (first < addDays(ctx.today, -HISTORY_DAYS)) break;
    for (const { scope, subject } of scopes) {
      const existing = await env.DB.prepare("SELECT alert_id FROM forecast_accuracy WHERE month = ? AND scope = ? AND subject = ?").bind(month, scope, subject).first<{ alert_id: string | null }>();
      const actualSeries = dailySeries(ctx.data, { scope, subject, from: first, to: last });
      const actual = actualSeries.values.reduce((a, b) => a + b, 0);
      const forecast = await monthForecast(env, ctx, month, scope, subject);
      if (!forecast || (actual === 0 && forecast.nusd === 0)) continue;
      const error = monthError(forecast.nusd, actual);
      let alertId = existing?.alert_id ?? null;
      if (error > ACCURACY_THRESHOLD && !alertId) {
        alertId = (await raiseAlert(env, {
          kind: "forecast_accuracy", severity: "warning",
          title: `Forecast for ${scope} ${subject} missed ${month} by ${(error * 100).toFixed(1)}%`,
          evidence: { month, scope, subject, forecast_usd: formatUsd(forecast.nusd), actual_usd: formatUsd(actual), error, threshold: ACCURACY_THRESHOLD, made_on: forecast.madeOn },
        }, { alsoTo: [env.FINANCE_EMAIL] })).id;
      }
      await env.DB.prepare(`INSERT INTO forecast_accuracy (month, scope, subject, made_on, forecast_nusd, actual_nusd, error, computed_at, alert_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (month, scope, subject) DO UPDATE SET made_on = excluded.made_on, forecast_nusd = excluded.forecast_nusd, actual_nusd = excluded.actual_nusd,
          error = excluded.error, computed_at = excluded.computed_at, alert_id = excluded.alert_id`)
        .bind(month, scope, subject, forecast.madeOn, forecast.nusd, actual, error, new Date().toISOString(), alertId).run();
      scored++;
    }
  }
  return scored;
}

/** Raises a warning when a team's projection crosses its budget before the period ends; withdraws it when it falls back. */
export async function checkExhaustion(env: Env, ctx: ForecastContext): Promise<{ raised: string[]; withdrawn: string[] }> {
  const raised: string[] = [];
  const withdrawn: string[] = [];
  const now = new Date().toISOString();
  for (const team of Object.keys(ctx.teams).sort()) {
    const { budget } = forecastScope(ctx, { scope: "team", subject: team, horizon: 30, backtest: false });
    if (!budget || budget.limit_nusd <= 0) continue;
    const row = await env.DB.prepare("SELECT status, exhaustion_date FROM exhaustion_warnings WHERE team = ? AND period = ?")
      .bind(team, budget.period).first<{ status: string; exhaustion_date: string | null }>();
    const facts = {
      team, period: budget.period, period_end: budget.period_end, limit_usd: formatUsd(budget.limit_nusd),
      spent_usd: formatUsd(budget.spent_nusd), projected_spend_usd: formatUsd(budget.projected_nusd),
    };
    const owner = ctx.teams[team].owner_email;
    if (budget.exhaustion_date && row?.status !== "active") {
      const alert = await raiseAlert(env, {
        kind: "budget_exhaustion", severity: "warning",
        title: `Team ${team} is projected to exhaust its ${budget.period} budget on ${budget.exhaustion_date}`,
        evidence: { ...facts, exhaustion_date: budget.exhaustion_date },
      }, { alsoTo: [env.FINANCE_EMAIL, owner] });
      await env.DB.prepare(`INSERT INTO exhaustion_warnings
          (team, period, status, exhaustion_date, projected_nusd, limit_nusd, alert_id, raised_at, updated_at)
        VALUES (?, ?, 'active', ?, ?, ?, ?, ?, ?)
        ON CONFLICT (team, period) DO UPDATE SET status = 'active', exhaustion_date = excluded.exhaustion_date, projected_nusd = excluded.projected_nusd,
          limit_nusd = excluded.limit_nusd, alert_id = excluded.alert_id, raised_at = excluded.raised_at, updated_at = excluded.updated_at`)
        .bind(team, budget.period, budget.exhaustion_date, budget.projected_nusd, budget.limit_nusd, alert.id, now, now).run();
      raised.push(team);
    } else if (budget.exhaustion_date && row) {
      await env.DB.prepare("UPDATE exhaustion_warnings SET exhaustion_date = ?, projected_nusd = ?, updated_at = ? WHERE team = ? AND period = ?")
        .bind(budget.exhaustion_date, budget.projected_nusd, now, team, budget.period).run();
    } else if (!budget.exhaustion_date && row?.status === "active") {
      const title = `Team ${team} is no longer projected to exhaust its ${budget.period} budget`;
      await raiseAlert(env, { kind: "budget_exhaustion_withdrawn", severity: "info", title, evidence: facts }, { alsoTo: [env.FINANCE_EMAIL, owner] });
      await env.DB.prepare("UPDATE exhaustion_warnings SET status = 'withdrawn', exhaustion_date = NULL, projected_nusd = ?, updated_at = ? WHERE team = ? AND period = ?")
        .bind(budget.projected_nusd, now, team, budget.period).run();
      withdrawn.push(team);
    }
  }
  return { raised, withdrawn };
}

/** The whole daily job, for workers/cron.ts. */
export async function runDailyFinance(env: Env, scheduledTime: number): Promise<{ snapshots: number; scored: number; raised: string[]; withdrawn: string[] }> {
  const ctx = await loadForecastContext(env, scheduledTime);
  const snapshots = await snapshotForecasts(env, ctx);
  const scored = await scoreForecasts(env, ctx);
  const { raised, withdrawn } = await checkExhaustion(env, ctx);
  return { snapshots, scored, raised, withdrawn };
}
