/**
 * @module
 * DLP spike decision over per-workload counts: findings or blocks per request in the recent
 * window against the workload's own baseline. Needs enough requests in both, so a new workload
 * or a quiet hour never pages security.
 */

export interface DlpWindowCounts {
  workload: string;
  team: string | null;
  recentRequests: number;
  recentFindings: number;
  recentBlocks: number;
  baseRequests: number;
  baseFindings: number;
  baseBlocks: number;
}

export interface SpikeRule {
  minRecentRequests: number;
  minBaseRequests: number;
  /** Recent rate must be at least this multiple of the baseline rate… */
  factor: number;
  /** …and at least this much above it (absolute, per request). */
  minIncrease: number;
}

export const DEFAULT_SPIKE_RULE: SpikeRule = { minRecentRequests: 10, minBaseRequests: 20, factor: 3, minIncrease: 0.2 };

export interface Spike {
  workload: string;
  team: string | null;
  metric: "findings" | "blocks";
  recent_rate: number;
  baseline_rate: number;
  recent_requests: number;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * @example dlpSpikes([{ workload: "w", team: "t", recentRequests: 20, recentFindings: 20, recentBlocks: 0, baseRequests: 100, baseFindings: 5, baseBlocks: 0 }])[0].metric === "findings"
 */
export function dlpSpikes(rows: readonly DlpWindowCounts[], rule: SpikeRule = DEFAULT_SPIKE_RULE): Spike[] {
  const out: Spike[] = [];
  for (const r of rows) {
    if (r.recentRequests < rule.minRecentRequests || r.baseRequests < rule.minBaseRequests) continue;
    for (const metric of ["findings", "blocks"] as const) {
      const recent = (metric === "findings" ? r.recentFindings : r.recentBlocks) / r.recentRequests;
      const base = (metric === "findings" ? r.baseFindings : r.baseBlocks) / r.baseRequests;
      if (recent >= base * rule.factor && recent - base >= rule.minIncrease) {
        out.push({ workload: r.workload, team: r.team, metric, recent_rate: round(recent), baseline_rate: round(base), recent_requests: r.recentRequests });
        break;
      }
    }
  }
  return out;
}
