/**
 * @module
 * Finance: spend vs budget vs forecast per team (with the forecast's 80 % interval, p10–p90),
 * exhaustion warnings, the monthly reports with the emails that carried them, forecast accuracy.
 */
import { apiGet } from "../api";
import { lineChart } from "../chart";
import { h } from "../dom";
import { daysAgo, int, monthStart, pct, usd, when } from "../format";
import { recordsLink } from "../records";
import { dataTable } from "../table";
import { badge, kpi, kpiRow, section, stack } from "../ui";
import { page, qs, type List, type Team, type UsageRow } from "./common";

interface Band { p10: number; p50: number; p90: number }
interface Forecast {
  scope: string; id: string; horizon: number; daily: Array<{ date: string } & Band>; total: Band;
  backtest: { mape: number } | null;
  budget: { limit_usd: number; spent_usd: number; projected_spend_usd: number; exhaustion_date: string | null; period_end: string } | null;
}
interface TeamRow { team: Team; forecast: Forecast; forecastPath: string }
interface Report { id: string; kind: string; period: string; created_at: string; recipients: string[]; delivery: { status: string; attempts: number } }
interface Accuracy { month: string; scope: string; id: string; forecast_usd: number; actual_usd: number; error: number; flagged: boolean }
interface Alert { id: string; ts: string; kind: string; severity: string; title: string; team: string | null }

const forecastPath = (scope: string, id?: string) => `/admin/v1/forecasts${qs({ scope, id, horizon: 30 })}`;

/** Projected month-end spend above the budget, or an exhaustion date: the team needs a look. */
export function atRisk(f: Forecast): boolean {
  return !!f.budget && (f.budget.exhaustion_date !== null || f.budget.projected_spend_usd > f.budget.limit_usd);
}

function teamsSection(): HTMLElement {
  return section("Spend vs budget vs forecast per team", async () => {
    const teams = await apiGet<List<Team>>("/admin/v1/teams");
    const rows: TeamRow[] = await Promise.all(teams.data.map(async (team) => {
      const path = forecastPath("team", team.id);
      return { team, forecast: await apiGet<Forecast>(path), forecastPath: path };
    }));
    const budget = rows.reduce((a, r) => a + (r.forecast.budget?.limit_usd ?? r.team.monthly_budget_usd), 0);
    const spent = rows.reduce((a, r) => a + (r.forecast.budget?.spent_usd ?? 0), 0);
    const projected = rows.reduce((a, r) => a + (r.forecast.budget?.projected_spend_usd ?? 0), 0);
    const risky = rows.filter((r) => atRisk(r.forecast));
    const spendPath = `/admin/v1/usage${qs({ group_by: "team", from: monthStart(new Date()) })}`;
    return stack(
      kpiRow(
        kpi("Spent this month", usd(spent), spendPath, `of ${usd(budget)} budget`),
        kpi("Projected month end", usd(projected), forecastPath("org"), pct(budget ? projected / budget : null) + " of budget", projected > budget ? "bad" : "good"),
        kpi("Teams at risk", int(risky.length), "/admin/v1/alerts?kind=budget_exhaustion&state=all", risky.map((r) => r.team.id).join(", ") || "none", risky.length ? "warn" : "good"),
      ),
      dataTable({
        name: "finance-teams", caption: "Teams", rows, sort: { column: 0, direction: "ascending" },
        columns: [
          { label: "Team", value: (r) => r.team.name, render: (r) => h("span", {}, r.team.name, h("small", {}, ` ${r.team.id}`)) },
          { label: "Budget", value: (r) => r.forecast.budget?.limit_usd ?? r.team.monthly_budget_usd, numeric: true, render: (r) => recordsLink(usd(r.forecast.budget?.limit_usd ?? r.team.monthly_budget_usd), `/admin/v1/teams/${r.team.id}/budget`) },
          { label: "Spent (month)", value: (r) => r.forecast.budget?.spent_usd, numeric: true, render: (r) => recordsLink(usd(r.forecast.budget?.spent_usd), `/admin/v1/usage${qs({ group_by: "workload,day", team: r.team.id, from: monthStart(new Date()) })}`) },
          { label: "Projected month end", value: (r) => r.forecast.budget?.projected_spend_usd, numeric: true, render: (r) => recordsLink(usd(r.forecast.budget?.projected_spend_usd), r.forecastPath) },
          { label: "Next 30 days (p50)", value: (r) => r.forecast.total.p50, numeric: true, render: (r) => recordsLink(usd(r.forecast.total.p50), r.forecastPath) },
          { label: "80% interval", value: (r) => r.forecast.total.p10, numeric: true, render: (r) => recordsLink(`${usd(r.forecast.total.p10)} – ${usd(r.forecast.total.p90)}`, r.forecastPath) },
          { label: "Status", value: (r) => (atRisk(r.forecast) ? "at risk" : "on track"), render: (r) => atRisk(r.forecast)
            ? badge(r.forecast.budget?.exhaustion_date ? `exhausts ${r.forecast.budget.exhaustion_date}` : "over budget", "bad") : badge("on track", "good") },
        ],
      }),
    );
  }, { name: "finance-teams" });
}

function chartSection(): HTMLElement {
  return section("Organisation spend: last 60 days and the next 30 (p50, shaded p10–p90)", async () => {
    const histPath = `/admin/v1/usage${qs({ group_by: "day", from: daysAgo(new Date(), 60) })}`;
    const [hist, fc] = await Promise.all([apiGet<{ data: UsageRow[] }>(histPath), apiGet<Forecast>(forecastPath("org"))]);
    const days = [...hist.data.map((r) => r.day!), ...fc.daily.map((d) => d.date).filter((d) => !hist.data.some((r) => r.day === d))];
    // Today is still filling up: its actual would read as a cliff beside the forecast.
    const today = new Date().toISOString().slice(0, 10);
    const actual = new Map(hist.data.filter((r) => r.day! < today).map((r) => [r.day!, r.cost_usd]));
    const fcAt = new Map(fc.daily.map((d) => [d.date, d]));
    return stack(
      lineChart({
        title: "Daily spend (USD)", days, yLabel: "USD / day", format: (v) => usd(v), band: [2, 3],
        series: [
          { label: "actual", color: "#1e3a6e", values: days.map((d) => actual.get(d) ?? null) },
          { label: "forecast p50", color: "#2f5fb3", dash: [6, 4], values: days.map((d) => fcAt.get(d)?.p50 ?? null) },
          { label: "p90", color: "#9db3de", values: days.map((d) => fcAt.get(d)?.p90 ?? null) },
          { label: "p10", color: "#9db3de", values: days.map((d) => fcAt.get(d)?.p10 ?? null) },
        ],
      }),
      h("p", { class: "note" }, "Forecast: ", recordsLink(`${usd(fc.total.p50)} over ${fc.horizon} days`, forecastPath("org")),
        fc.backtest ? ` · backtest MAPE ${pct(fc.backtest.mape)}` : "", " · history: ", recordsLink(`${hist.data.length} days`, histPath)),
    );
  }, { name: "finance-chart" });
}

function warningsSection(): HTMLElement {
  const path = "/admin/v1/alerts?state=all&limit=200";
  return section("Exhaustion and forecast warnings", async () => {
    const a = await apiGet<List<Alert>>(path);
    const rows = a.data.filter((x) => /budget|forecast/.test(x.kind));
    return dataTable({
      name: "finance-alerts", caption: "Warnings", rows, empty: "No budget-exhaustion or forecast-accuracy warnings.",
      columns: [
        { label: "When", value: (r) => r.ts, render: (r) => when(r.ts) },
        { label: "Warning", value: (r) => r.title, render: (r) => recordsLink(r.title, `/admin/v1/alerts?kind=${r.kind}&state=all`) },
        { label: "Team", value: (r) => r.team },
        { label: "Severity", value: (r) => r.severity },
      ],
    });
  }, { name: "finance-alerts", wide: false });
}

function reportsSection(): HTMLElement {
  return section("Reports and their emails", async () => {
    const reports = await apiGet<Report[]>("/admin/v1/reports");
    return dataTable({
      name: "reports", caption: "Archived reports", rows: reports, empty: "No report yet (monthly, on the 1st at 06:00 UTC).",
      columns: [
        { label: "Period", value: (r) => r.period },
        { label: "Kind", value: (r) => r.kind, render: (r) => recordsLink(r.kind, `/admin/v1/reports/${encodeURIComponent(r.id)}`) },
        { label: "Delivery", value: (r) => r.delivery.status, render: (r) => badge(r.delivery.status, r.delivery.status === "sent" ? "good" : "warn") },
        { label: "Recipients", value: (r) => r.recipients.join(", ") },
        { label: "Email", value: (r) => r.id, render: (r) => recordsLink("the sent message", `/admin/v1/reports/${encodeURIComponent(r.id)}/email`) },
      ],
    });
  }, { name: "reports" });
}

function accuracySection(): HTMLElement {
  const path = "/admin/v1/forecasts/accuracy";
  return section("Forecast accuracy (forecast vs actual per month)", async () => {
    const a = await apiGet<{ threshold: number; data: Accuracy[] }>(path);
    return dataTable({
      name: "accuracy", caption: "Months", rows: a.data, empty: "No month has closed since forecasting began.",
      columns: [
        { label: "Month", value: (r) => r.month },
        { label: "Scope", value: (r) => `${r.scope}/${r.id}` },
        { label: "Forecast", value: (r) => r.forecast_usd, numeric: true, render: (r) => recordsLink(usd(r.forecast_usd), path) },
        { label: "Actual", value: (r) => r.actual_usd, numeric: true, render: (r) => recordsLink(usd(r.actual_usd), `/admin/v1/usage${qs({ group_by: "team", from: `${r.month}-01`, to: `${r.month}-31` })}`) },
        { label: "Error", value: (r) => r.error, numeric: true, render: (r) => h("span", {}, pct(r.error), " ", r.flagged ? badge("above 15%", "bad") : null) },
      ],
    });
  }, { name: "accuracy", wide: false });
}

export function financeView(): HTMLElement {
  return page("Finance", "Where the money goes, where it is heading, and how far to trust the forecast.",
    teamsSection(), chartSection(), reportsSection(), warningsSection(), accuracySection());
}
