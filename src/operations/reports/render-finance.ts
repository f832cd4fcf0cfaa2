/**
 * @module
 * The finance report email's content from its data: totals, spend by team/workload/model/provider
 * against budget, last month and forecast, the 30/60/90-day outlook with 80% intervals, exhaustion
 * warnings, cache savings, forecast accuracy and top movers, with two inline SVG charts.
 */
import { bandChart, barChart } from "./charts";
import { change, pct, ReportWriter, usd, type Rendered } from "./render";
import type { FinanceReportData, SpendLine } from "./types";

const label = (l: SpendLine) => (l.name ? `${l.name} (${l.key})` : l.key);

/** @example renderFinance(data).subject === "Switchyard finance report 2026-11" */
export function renderFinance(d: FinanceReportData): Rendered {
  const w = new ReportWriter();
  const t = d.totals;
  w.para(`Period ${d.period_days.first} to ${d.period_days.last}; generated ${d.generated_at}. ` +
    "Actuals are gateway-observed spend (exact to the nano-dollar; the attached FOCUS 1.2 CSV lists every row).");
  w.heading("Summary").table(["", "Amount"], [
    ["Actual spend", usd(t.actual_nusd)],
    ["Budget (sum of teams)", usd(t.budget_nusd)],
    ["Last month", `${usd(t.previous_nusd)} (${change(t.actual_nusd, t.previous_nusd)})`],
    ["Forecast made before the month", t.forecast_nusd === null ? "n/a" : usd(t.forecast_nusd)],
    ["Requests", t.requests.toLocaleString("en-US")],
    ["Cache savings (estimated)", `${usd(d.cache_savings.estimated_saved_nusd)} from ${d.cache_savings.hits.toLocaleString("en-US")} hits`],
  ]);
  w.chart(barChart({ title: `Daily spend ${d.period}`, values: d.daily.map((x) => x.actual_nusd), labels: d.daily.map((x) => x.date.slice(5)), format: usd }),
    `daily spend ranged ${usd(Math.min(...d.daily.map((x) => x.actual_nusd)))} to ${usd(Math.max(...d.daily.map((x) => x.actual_nusd)))}`);

  w.heading("By team").table(["Team", "Actual", "Budget", "Used", "Last month", "Change", "Forecast"], d.by_team.map((l) => [
    label(l), usd(l.actual_nusd), l.budget_nusd ? usd(l.budget_nusd) : "n/a", l.budget_nusd ? pct(l.actual_nusd / l.budget_nusd, 0) : "n/a",
    usd(l.previous_nusd), change(l.actual_nusd, l.previous_nusd), l.forecast_nusd == null ? "n/a" : usd(l.forecast_nusd),
  ]));
  for (const [title, rows] of [["By workload", d.by_workload], ["By model", d.by_model], ["By provider", d.by_provider]] as const) {
    w.heading(title).table(["", "Actual", "Last month", "Change"], rows.map((l) => [l.key, usd(l.actual_nusd), usd(l.previous_nusd), change(l.actual_nusd, l.previous_nusd)]));
  }

  w.heading("Forecast: next 30, 60 and 90 days (central value, 80% interval)");
  w.table(["Scope", "30 days", "60 days", "90 days", "Backtest sMAPE"], d.forecasts.map((f) => [
    f.scope === "org" ? "Organisation" : f.name ? `${f.name} (${f.id})` : f.id,
    ...(["30", "60", "90"] as const).map((h) => `${usd(f.horizons[h].p50_nusd)} (${usd(f.horizons[h].p10_nusd)}–${usd(f.horizons[h].p90_nusd)})`),
    pct(f.smape),
  ]));
  if (d.forecast_daily.length) {
    w.chart(bandChart({ title: "Organisation forecast, 90 days", p50: d.forecast_daily.map((x) => x.p50_nusd), p10: d.forecast_daily.map((x) => x.p10_nusd),
      p90: d.forecast_daily.map((x) => x.p90_nusd), labels: d.forecast_daily.map((x) => x.date.slice(5)), format: usd }),
    `organisation forecast from ${d.forecast_daily[0].date}: line = central value, band = 80% interval`);
  }
  const org = d.forecasts.find((f) => f.scope === "org");
  if (org) w.para(`Method: ${org.method}.`);

  w.heading("Teams heading for budget exhaustion");
  if (!d.exhaustion.length) w.para("No team is projected to exhaust its budget this period.", { tone: "ok" });
  else {
    w.table(["Team", "Period", "Budget", "Projected", "Runs out on"], d.exhaustion.map((e) => [
      e.name ? `${e.name} (${e.team})` : e.team, e.period, usd(e.limit_nusd), usd(e.projected_nusd), e.exhaustion_date,
    ]));
  }

  w.heading("Forecast accuracy of past months");
  const flagged = d.accuracy.filter((a) => a.flagged);
  if (flagged.length) w.para(`${flagged.length} forecast(s) missed by more than 15%: ${flagged.map((a) => `${a.scope} ${a.id} ${a.month}`).join(", ")}.`, { tone: "warn" });
  w.table(["Month", "Scope", "Forecast made", "Forecast", "Actual", "Error"], d.accuracy.map((a) => [
    a.month, a.scope === "org" ? "Organisation" : a.id, a.made_on, usd(a.forecast_nusd), usd(a.actual_nusd), `${pct(a.error)}${a.flagged ? " ⚠" : ""}`,
  ]));
  w.para("A forecast is the snapshot stored before the month began; \"reconstructed\" ones (months before snapshots existed) rerun the method on the history up to that day.");

  w.heading("Top movers (workloads, change vs last month)");
  w.table(["Workload", "Team", "Actual", "Last month", "Change"], d.top_movers.map((m) => [
    m.workload, m.team, usd(m.actual_nusd), usd(m.previous_nusd), `${m.change_nusd >= 0 ? "+" : "−"}${usd(Math.abs(m.change_nusd))}`,
  ]));
  return w.done(`Finance report ${d.period}`, `Switchyard finance report ${d.period}: ${usd(t.actual_nusd)} spent`);
}
