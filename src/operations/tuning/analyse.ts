/**
 * @module
 * Guardrail tuning decisions over plain statistics (the weekly job gathers them from 30 days of
 * usage events and alerts): limits that refuse too much or never come near, DLP rules whose
 * blocks users work around by retrying without the value, DLP rules that never fire, and budget
 * alerts that keep firing. Each finding becomes a recommendation with its evidence. DLP and data
 * class guardrails are marked `security`: they are never applied automatically.
 */

export interface Recommendation {
  guardrail: "rpm_limit" | "tpm_limit" | "dlp_rule" | "budget_alert";
  finding: "fires_excessively" | "never_fires";
  team: string | null;
  workload: string | null;
  subject: string;
  security: boolean;
  current: unknown;
  /** The proposed setting; null when only a human can say (review the rule). */
  proposed: unknown;
  evidence: Record<string, unknown>;
}

/** Refused share above which a limit fires excessively. */
export const EXCESSIVE_REFUSAL_SHARE = 0.02;
/** Below this share of the limit at p95, with no refusals, a limit never fires. */
export const IDLE_HEADROOM_SHARE = 0.1;
/** Fewer requests than this in the window say nothing either way. */
export const MIN_REQUESTS = 100;

/** Nearest-rank percentile of `xs` (0 when empty). */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface LimitStats {
  team: string;
  kind: "rpm" | "tpm";
  limit: number;
  requests: number;
  /** Requests refused by this kind of limit. */
  refused: number;
  /** Demand per active minute (requests, or tokens for tpm), refused ones included. */
  perMinute: number[];
  bounds?: { min: number; max: number };
}

const clamp = (x: number, b?: { min: number; max: number }) => (b ? Math.min(b.max, Math.max(b.min, x)) : x);

/**
 * @example limitFinding({ team: "t", kind: "rpm", limit: 10, requests: 1200, refused: 200, perMinute: Array(100).fill(12) })?.proposed === 15
 */
export function limitFinding(s: LimitStats): Recommendation | undefined {
  if (s.requests < MIN_REQUESTS || s.limit <= 0) return undefined;
  const p95 = percentile(s.perMinute, 95);
  const peak = Math.max(0, ...s.perMinute);
  const share = s.refused / s.requests;
  const evidence = { requests: s.requests, refused: s.refused, refused_share: Math.round(share * 10_000) / 10_000, p95_per_minute: p95, peak_per_minute: peak, headroom_used_p95: Math.round((p95 / s.limit) * 1000) / 1000, bounds: s.bounds ?? null };
  const base = { guardrail: `${s.kind}_limit` as const, team: s.team, workload: null, subject: `teams/${s.team}/${s.kind}`, security: false, current: s.limit };
  if (share >= EXCESSIVE_REFUSAL_SHARE) {
    const proposed = clamp(Math.ceil(p95 * 1.25), s.bounds);
    return proposed > s.limit ? { ...base, finding: "fires_excessively", proposed, evidence } : undefined;
  }
  if (s.refused === 0 && p95 <= s.limit * IDLE_HEADROOM_SHARE) {
    const proposed = clamp(Math.max(Math.ceil(peak * 2), Math.ceil(p95 * 4), 1), s.bounds);
    return proposed < s.limit ? { ...base, finding: "never_fires", proposed, evidence } : undefined;
  }
  return undefined;
}

export interface DlpRuleStats {
  team: string | null;
  workload: string;
  type: string;
  /** The action in force for the type. */
  action: string;
  /** Set explicitly on the workload (a rule someone wrote), not a default. */
  configured: boolean;
  requests: number;
  fires: number;
  blocks: number;
  /** Blocks followed within minutes by the same key succeeding without the value. */
  retriedWithoutValue: number;
  /** Exemptions granted after blocks (the type set to allow/redact by an admin). */
  exemptions: number;
}

/** Block share and work-around share above which a blocking rule fires excessively. */
export const EXCESSIVE_BLOCK_SHARE = 0.05;
export const WORKAROUND_SHARE = 0.5;

/**
 * @example dlpFinding({ workload: "w", team: "t", type: "EMAIL_ADDRESS", action: "block", configured: true, requests: 200, fires: 40, blocks: 40, retriedWithoutValue: 30, exemptions: 0 })?.proposed === "redact"
 */
export function dlpFinding(s: DlpRuleStats): Recommendation | undefined {
  if (s.requests < MIN_REQUESTS) return undefined;
  const base = { guardrail: "dlp_rule" as const, team: s.team, workload: s.workload, subject: `workloads/${s.workload}/dlp/${s.type}`, security: true, current: s.action };
  const evidence = {
    requests: s.requests, fires: s.fires, fire_rate: Math.round((s.fires / s.requests) * 10_000) / 10_000, blocks: s.blocks,
    block_rate: Math.round((s.blocks / s.requests) * 10_000) / 10_000, retried_without_value: s.retriedWithoutValue, exemptions: s.exemptions,
  };
  const workedAround = s.blocks > 0 ? (s.retriedWithoutValue + s.exemptions) / s.blocks : 0;
  if (s.blocks / s.requests >= EXCESSIVE_BLOCK_SHARE && workedAround >= WORKAROUND_SHARE) {
    return { ...base, finding: "fires_excessively", proposed: "redact", evidence: { ...evidence, worked_around_share: Math.round(workedAround * 1000) / 1000 } };
  }
  if (s.configured && s.fires === 0) return { ...base, finding: "never_fires", proposed: null, evidence };
  return undefined;
}

export interface BudgetAlertStats {
  team: string;
  /** Threshold alerts (below 100%) in the window, and refusals. */
  warnings: number;
  refusals: number;
  /** Distinct budget periods with a warning. */
  periods: number;
}

/** Warnings in three or more periods that never led to a refusal: the threshold is noise. */
export function budgetAlertFinding(s: BudgetAlertStats): Recommendation | undefined {
  if (s.periods < 3 || s.refusals > 0) return undefined;
  return {
    guardrail: "budget_alert", finding: "fires_excessively", team: s.team, workload: null, subject: `teams/${s.team}/budget-alerts`, security: false,
    current: "80%", proposed: "90%", evidence: { warnings: s.warnings, refusals: s.refusals, periods_with_warnings: s.periods },
  };
}

/** The same key succeeding without the blocked type within `withinMs` after a block. */
export function retriesWithoutValue(
  rows: ReadonlyArray<{ key: string | null; at: number; ok: boolean; types: readonly string[]; blocked: readonly string[] }>, withinMs = 10 * 60_000,
): Map<string, number> {
  const out = new Map<string, number>();
  const sorted = [...rows].sort((a, b) => a.at - b.at);
  sorted.forEach((r, i) => {
    if (r.blocked.length === 0 || r.key === null) return;
    for (const type of r.blocked) {
      // Sorted by time: only the rows inside the window are looked at, so this stays linear-ish.
      for (let j = i + 1; j < sorted.length && sorted[j].at - r.at <= withinMs; j++) {
        const x = sorted[j];
        if (x.key === r.key && x.ok && !x.types.includes(type)) {
          out.set(type, (out.get(type) ?? 0) + 1);
          break;
        }
      }
    }
  });
  return out;
}
