/**
 * @module
 * The data of a report: plain JSON, money as integer nano-USD (`*_nusd`), archived as is and
 * served by GET /admin/v1/reports/{id}. Renderers and the CSV read only this.
 */

export type ReportKind = "finance" | "compliance";

export interface SpendLine {
  key: string;
  /** Display name where one exists (team names may be any Unicode). */
  name?: string;
  actual_nusd: number;
  previous_nusd: number;
  budget_nusd?: number | null;
  forecast_nusd?: number | null;
}

export interface HorizonForecast {
  scope: "org" | "team";
  id: string;
  name?: string;
  method: string;
  smape: number | null;
  horizons: Record<"30" | "60" | "90", { p50_nusd: number; p10_nusd: number; p90_nusd: number }>;
}

export interface FinanceReportData {
  kind: "finance";
  period: string;
  period_days: { first: string; last: string };
  generated_at: string;
  org: { name: string };
  totals: { actual_nusd: number; previous_nusd: number; budget_nusd: number; forecast_nusd: number | null; requests: number };
  by_team: SpendLine[];
  by_workload: SpendLine[];
  by_model: SpendLine[];
  by_provider: SpendLine[];
  daily: Array<{ date: string; actual_nusd: number }>;
  forecasts: HorizonForecast[];
  /** Org forecast for the next 90 days, for the chart. */
  forecast_daily: Array<{ date: string; p50_nusd: number; p10_nusd: number; p90_nusd: number }>;
  exhaustion: Array<{ team: string; name?: string; period: string; limit_nusd: number; projected_nusd: number; exhaustion_date: string }>;
  cache_savings: { hits: number; estimated_saved_nusd: number };
  accuracy: Array<{ month: string; scope: string; id: string; made_on: string; forecast_nusd: number; actual_nusd: number; error: number; flagged: boolean }>;
  top_movers: Array<{ workload: string; team: string; actual_nusd: number; previous_nusd: number; change_nusd: number }>;
  /** Gateway-observed rows behind the CSV attachment. */
  csv_rows: number;
}

export interface Discrepancy {
  kind: "provider_spend_mismatch" | "rollup_mismatch" | "missing_days";
  detail: string;
  evidence: Record<string, unknown>;
}

export interface ComplianceReportData {
  kind: "compliance";
  period: string;
  period_days: { first: string; last: string };
  generated_at: string;
  gateway_share: {
    by_provider: Array<{ provider: string; gateway_nusd: number; provider_reported_nusd: number; share: number | null }>;
    by_team: Array<{ team: string; gateway_nusd: number; provider_reported_nusd: number; share: number | null }>;
    overall: number | null;
  };
  dlp: { requests: number; blocked: number; with_findings: number; logged: number; violation_rate: number | null; finding_rate: number | null };
  budget_adherence: Array<{ team: string; name?: string; budget_nusd: number; actual_nusd: number; within: boolean }>;
  catalog: { compliant: boolean; violations: Array<{ team: string; workload: string; model: string; requests: number }> };
  restricted_audits: { runs: number; passed: number; failed: number; last: { ts: string; ok: boolean } | null };
  failover_drills: { runs: number; passed: number; failed: number; failures: Array<{ ts: string; model: string; provider: string }> };
  evals: { status: "not_available"; note: string };
  discrepancies: Discrepancy[];
}

export type ReportData = FinanceReportData | ComplianceReportData;
