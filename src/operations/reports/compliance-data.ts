/**
 * @module
 * Gathers the monthly compliance report from what the gateway records: share of provider spend
 * that went through the gateway, DLP violation rate, budget adherence, model-catalog compliance,
 * restricted-log audits and failover drills; eval pass rates are marked not yet available.
 * Discrepancies are flagged: gateway vs provider-reported spend off by more than 2% for a
 * provider, daily rollups that disagree with raw usage events, and days with no usage at all.
 */
import type { Env } from "../../env";
import type { TeamPut, WorkloadPut } from "../../config/schemas";
import { usdToNusd } from "../../config/money";
import { dateRange, monthBounds } from "../forecast/dates";
import { formatUsd } from "../spend/money";
import type { ComplianceReportData, Discrepancy } from "./types";
import { configDb } from "../../config/control-db";

export const PROVIDER_SPEND_TOLERANCE = 0.02;

type Sums = { key: string; nusd: number };

function shares(gateway: Sums[], reported: Sums[]) {
  const keys = [...new Set([...gateway, ...reported].map((r) => r.key))].sort();
  return keys.map((key) => {
    const g = gateway.find((r) => r.key === key)?.nusd ?? 0;
    const p = reported.find((r) => r.key === key)?.nusd ?? 0;
    return { key, gateway_nusd: g, provider_reported_nusd: p, share: p > 0 ? g / p : null };
  });
}

/** @example const data = await buildComplianceReport(env, "2026-11", Date.now()); */
export async function buildComplianceReport(env: Env, period: string, now: number): Promise<ComplianceReportData> {
  const { first, last } = monthBounds(period);
  const tsFrom = `${first}T00:00:00.000Z`;
  const tsTo = `${last}T23:59:59.999Z`;
  const q = <T>(sql: string, ...args: unknown[]) => env.DB.prepare(sql).bind(...args).all<T>().then((r) => r.results);
  // Configuration lives in the control plane (src/config/control-db.ts), per-request data in the zone.
  const config = <T>(sql: string) => configDb(env).prepare(sql).all<T>().then((r) => r.results);
  const [gwProv, impProv, gwTeam, impTeam, dlp, logged, served, teams, workloads, audits, drills, rollupDays, rawDays] = await Promise.all([
    q<Sums>("SELECT provider AS key, SUM(cost_nusd) AS nusd FROM usage_daily WHERE day >= ? AND day <= ? GROUP BY provider", first, last),
    q<Sums>("SELECT provider AS key, SUM(cost_nusd) AS nusd FROM spend_imports WHERE day >= ? AND day <= ? GROUP BY provider", first, last),
    q<Sums>("SELECT team AS key, SUM(cost_nusd) AS nusd FROM usage_daily WHERE day >= ? AND day <= ? GROUP BY team", first, last),
    q<Sums>("SELECT team AS key, SUM(cost_nusd) AS nusd FROM spend_imports WHERE day >= ? AND day <= ? GROUP BY team", first, last),
    q<{ requests: number; blocked: number }>(`SELECT COUNT(*) AS requests, COALESCE(SUM(CASE WHEN error_code LIKE 'dlp_blocked%' THEN 1 ELSE 0 END), 0) AS blocked
      FROM usage_events WHERE ts >= ? AND ts <= ?`, tsFrom, tsTo),
    q<{ logged: number; findings: number }>(`SELECT COUNT(*) AS logged, COALESCE(SUM(CASE WHEN dlp_types IS NOT NULL AND dlp_types <> '[]' THEN 1 ELSE 0 END), 0) AS findings
      FROM request_logs WHERE ts >= ? AND ts <= ?`, tsFrom, tsTo),
    q<{ team: string; workload: string; model: string; served: number; cost: number }>(`SELECT team, workload, model, SUM(requests - errors) AS served, SUM(cost_nusd) AS cost
      FROM usage_daily WHERE day >= ? AND day <= ? GROUP BY team, workload, model`, first, last),
    config<{ id: string; spec: string }>("SELECT id, spec FROM teams"),
    config<{ id: string; spec: string }>("SELECT id, spec FROM workloads"),
    q<{ ts: string; ok: number }>("SELECT ts, ok FROM restricted_audits WHERE ts >= ? AND ts <= ? ORDER BY ts", tsFrom, tsTo),
    q<{ ts: string; model: string; provider: string; verdict: string }>("SELECT ts, model, provider, verdict FROM failover_drills WHERE ts >= ? AND ts <= ? ORDER BY ts", tsFrom, tsTo),
    q<{ day: string; requests: number; cost: number }>("SELECT day, SUM(requests) AS requests, SUM(cost_nusd) AS cost FROM usage_daily WHERE day >= ? AND day <= ? GROUP BY day", first, last),
    q<{ day: string; requests: number; cost: number }>(`SELECT substr(ts, 1, 10) AS day, COUNT(*) AS requests, SUM(cost_nusd) AS cost
      FROM usage_events WHERE ts >= ? AND ts <= ? GROUP BY 1`, tsFrom, tsTo),
  ]);
  const teamSpec = Object.fromEntries(teams.map((t) => [t.id, JSON.parse(t.spec) as TeamPut]));
  const workloadSpec = Object.fromEntries(workloads.map((w) => [w.id, JSON.parse(w.spec) as WorkloadPut]));
  const discrepancies: Discrepancy[] = [];

  const byProvider = shares(gwProv.map((r) => ({ key: r.key, nusd: Number(r.nusd) })), impProv.map((r) => ({ key: r.key, nusd: Number(r.nusd) })));
  for (const p of byProvider) {
    if (p.provider_reported_nusd === 0) continue;
    const off = Math.abs(p.gateway_nusd - p.provider_reported_nusd) / p.provider_reported_nusd;
    if (off > PROVIDER_SPEND_TOLERANCE) {
      discrepancies.push({
        kind: "provider_spend_mismatch",
        detail: `Provider ${p.key}: gateway saw $${formatUsd(p.gateway_nusd)}, the provider reported $${formatUsd(p.provider_reported_nusd)} (${(off * 100).toFixed(1)}% apart).`,
        evidence: { provider: p.key, month: period, gateway_usd: formatUsd(p.gateway_nusd), provider_reported_usd: formatUsd(p.provider_reported_nusd), difference: off },
      });
    }
  }
  const byTeam = shares(gwTeam.map((r) => ({ key: r.key, nusd: Number(r.nusd) })), impTeam.map((r) => ({ key: r.key, nusd: Number(r.nusd) })));
  const reportedTotal = byProvider.reduce((a, p) => a + p.provider_reported_nusd, 0);
  const gatewayOfReported = byProvider.filter((p) => p.provider_reported_nusd > 0).reduce((a, p) => a + p.gateway_nusd, 0);

  // Rollups against raw events, on the days raw events still exist (they may be kept for less time).
  const raw = new Map(rawDays.map((r) => [r.day, r]));
  for (const r of rollupDays) {
    const e = raw.get(r.day);
    if (e && (Number(e.requests) !== Number(r.requests) || Number(e.cost) !== Number(r.cost))) {
      discrepancies.push({
        kind: "rollup_mismatch",
        detail: `${r.day}: usage_daily has ${r.requests} requests / $${formatUsd(Number(r.cost), 6)}, usage_events ${e.requests} / $${formatUsd(Number(e.cost), 6)}.`,
        evidence: { day: r.day, rollup_requests: Number(r.requests), raw_requests: Number(e.requests), rollup_cost_nusd: Number(r.cost), raw_cost_nusd: Number(e.cost) },
      });
    }
  }
  for (const e of rawDays) {
    if (!rollupDays.some((r) => r.day === e.day)) {
      discrepancies.push({ kind: "rollup_mismatch", detail: `${e.day}: ${e.requests} raw usage events but no rollup.`, evidence: { day: e.day, raw_requests: Number(e.requests) } });
    }
  }
  const seen = new Set(rollupDays.map((r) => r.day));
  const today = new Date(now).toISOString().slice(0, 10);
  const missing = dateRange(first, last).filter((d) => d < today && !seen.has(d));
  if (missing.length) {
    const listed = `${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", …" : ""}`;
    discrepancies.push({ kind: "missing_days", detail: `${missing.length} day(s) of ${period} have no usage at all: ${listed}.`, evidence: { days: missing } });
  }

  const violations = served
    .filter((r) => workloadSpec[r.workload] && r.model !== "-" && Number(r.served) > 0 && !workloadSpec[r.workload].allowed_models.includes(r.model))
    .map((r) => ({ team: r.team, workload: r.workload, model: r.model, requests: Number(r.served) }));
  const spentBy = new Map(gwTeam.map((r) => [r.key, Number(r.nusd)]));
  const requests = Number(dlp[0]?.requests ?? 0);
  const blocked = Number(dlp[0]?.blocked ?? 0);
  const logCount = Number(logged[0]?.logged ?? 0);
  const findings = Number(logged[0]?.findings ?? 0);
  const lastAudit = audits[audits.length - 1];
  return {
    kind: "compliance",
    period,
    period_days: { first, last },
    generated_at: new Date(now).toISOString(),
    gateway_share: {
      by_provider: byProvider.map(({ key, ...rest }) => ({ provider: key, ...rest })),
      by_team: byTeam.map(({ key, ...rest }) => ({ team: key, ...rest })),
      overall: reportedTotal > 0 ? gatewayOfReported / reportedTotal : null,
    },
    dlp: { requests, blocked, with_findings: findings, logged: logCount, violation_rate: requests ? blocked / requests : null, finding_rate: logCount ? findings / logCount : null },
    budget_adherence: Object.entries(teamSpec).sort(([a], [b]) => a.localeCompare(b)).map(([team, t]) => {
      const budget = usdToNusd(t.monthly_budget_usd);
      const actual = spentBy.get(team) ?? 0;
      return { team, name: t.name, budget_nusd: budget, actual_nusd: actual, within: actual <= budget };
    }),
    catalog: { compliant: violations.length === 0, violations },
    restricted_audits: {
      runs: audits.length, passed: audits.filter((a) => a.ok).length, failed: audits.filter((a) => !a.ok).length,
      last: lastAudit ? { ts: lastAudit.ts, ok: !!lastAudit.ok } : null,
    },
    failover_drills: {
      runs: drills.length, passed: drills.filter((d) => d.verdict === "pass").length, failed: drills.filter((d) => d.verdict !== "pass").length,
      failures: drills.filter((d) => d.verdict !== "pass").slice(0, 20).map((d) => ({ ts: d.ts, model: d.model, provider: d.provider })),
    },
    evals: { status: "not_available", note: "Workload evaluations are not built yet; pass rates will appear here once they exist." },
    discrepancies,
  };
}
