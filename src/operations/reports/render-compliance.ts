/**
 * @module
 * The compliance report email's content: gateway share of provider spend, DLP, budget adherence,
 * catalog compliance, restricted-log audits, failover drills, evals, and every discrepancy flagged.
 */
import { pct, ReportWriter, usd, type Rendered } from "./render";
import type { ComplianceReportData } from "./types";

/** @example renderCompliance(data).subject.startsWith("Switchyard compliance report") */
export function renderCompliance(d: ComplianceReportData): Rendered {
  const w = new ReportWriter();
  w.para(`Period ${d.period_days.first} to ${d.period_days.last}; generated ${d.generated_at} from gateway and operations telemetry, without manual input.`);
  w.heading(`Discrepancies (${d.discrepancies.length})`);
  if (!d.discrepancies.length) w.para("None: provider bills, rollups and raw events agree, and no day is missing.", { tone: "ok" });
  for (const x of d.discrepancies.slice(0, 50)) w.para(`⚠ ${x.kind}: ${x.detail}`, { tone: "warn" });
  if (d.discrepancies.length > 50) w.para(`… and ${d.discrepancies.length - 50} more (see the report data).`, { tone: "warn" });

  w.heading("Traffic through the gateway (gateway-observed ÷ provider-reported spend)");
  w.para(`Overall: ${pct(d.gateway_share.overall)} of imported provider spend went through the gateway.`);
  w.table(["Provider", "Gateway", "Provider-reported", "Share"], d.gateway_share.by_provider.map((p) => [p.provider, usd(p.gateway_nusd), usd(p.provider_reported_nusd), pct(p.share)]));
  w.table(["Team", "Gateway", "Provider-reported", "Share"], d.gateway_share.by_team.map((p) => [p.team, usd(p.gateway_nusd), usd(p.provider_reported_nusd), pct(p.share)]));

  w.heading("Data loss prevention");
  w.table(["Measure", "Value"], [
    ["Requests", d.dlp.requests], ["Blocked by DLP", d.dlp.blocked], ["Violation rate (blocked ÷ requests)", pct(d.dlp.violation_rate, 2)],
    ["Logged requests with DLP findings", `${d.dlp.with_findings} of ${d.dlp.logged} (${pct(d.dlp.finding_rate, 2)})`],
  ]);

  w.heading("Budget adherence per team");
  w.table(["Team", "Budget", "Actual", "Within budget"], d.budget_adherence.map((b) => [b.name ? `${b.name} (${b.team})` : b.team, usd(b.budget_nusd), usd(b.actual_nusd), b.within ? "yes" : "NO"]));

  w.heading("Model catalog compliance");
  if (d.catalog.compliant) w.para("Compliant: every served request used a model its workload allows (0 violations).", { tone: "ok" });
  else {
    w.para(`${d.catalog.violations.length} workload/model pair(s) served outside the allowed list:`, { tone: "warn" });
    w.table(["Team", "Workload", "Model", "Requests"], d.catalog.violations.map((v) => [v.team, v.workload, v.model, v.requests]));
  }

  w.heading("Restricted-log audits");
  const a = d.restricted_audits;
  w.para(`${a.runs} run(s): ${a.passed} passed, ${a.failed} failed${a.last ? `; last ${a.last.ts} ${a.last.ok ? "passed" : "FAILED"}` : ""}.`, { tone: a.failed ? "warn" : undefined });

  w.heading("Failover drills");
  const f = d.failover_drills;
  w.para(`${f.runs} drill(s): ${f.passed} passed, ${f.failed} failed.`, { tone: f.failed ? "warn" : undefined });
  if (f.failures.length) w.table(["When", "Model", "Provider"], f.failures.map((x) => [x.ts, x.model, x.provider]));

  w.heading("Workload evaluation pass rates");
  w.para(`Not yet available: ${d.evals.note}`);
  const flags = d.discrepancies.length ? ` — ${d.discrepancies.length} discrepanc${d.discrepancies.length === 1 ? "y" : "ies"}` : "";
  return w.done(`Compliance report ${d.period}`, `Switchyard compliance report ${d.period}${flags}`);
}
