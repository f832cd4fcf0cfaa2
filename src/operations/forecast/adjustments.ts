/**
 * @module
 * Planned changes applied to a forecast: a workload's launch or migration ("+N% from date D" or
 * "+$X/day from date D") and catalog price changes ("model M costs N% more from date D"). Each
 * becomes a per-day factor and addend for the scope being forecast; a change to part of a scope
 * (one workload of a team, one model of the organisation) counts with that part's recent share.
 */
import { daysBetween } from "./dates";

export type ForecastScope = "org" | "team" | "workload";

export interface PlannedChange {
  id: string;
  kind: "workload_change" | "price_change";
  team: string | null;
  workload: string | null;
  model: string | null;
  percent: number | null;
  nusd_per_day: number | null;
  effective_from: string;
  effective_to: string | null;
}

/** Who the scope is and how its recent spend splits (shares 0..1 of the scope's last 28 days). */
export interface ScopeMix {
  scope: ForecastScope;
  subject: string;
  /** Team of each workload (to tell whether a workload change touches a team scope). */
  teamOfWorkload: Record<string, string>;
  workloadShare: Record<string, number>;
  modelShare: Record<string, number>;
}

export interface DailyAdjustment {
  factor: number[];
  add: number[];
  applied: string[];
}

/** How much of the scope a change touches: 0 (not at all) to 1 (all of it). */
function coverage(change: PlannedChange, mix: ScopeMix): number {
  if (change.kind === "price_change") return change.model ? (mix.modelShare[change.model] ?? 0) : 0;
  if (change.workload) {
    if (mix.scope === "workload") return mix.subject === change.workload ? 1 : 0;
    if (mix.scope === "team" && mix.teamOfWorkload[change.workload] !== mix.subject) return 0;
    return mix.workloadShare[change.workload] ?? 0;
  }
  if (change.team) {
    if (mix.scope === "org") return 1; // a team's change is all of that team's part: see addend below
    if (mix.scope === "team") return change.team === mix.subject ? 1 : 0;
    return mix.teamOfWorkload[mix.subject] === change.team ? 1 : 0;
  }
  return 1; // organisation-wide
}

/** Whether an absolute ($/day) change lands in this scope at all. */
function touches(change: PlannedChange, mix: ScopeMix): boolean {
  if (change.workload) {
    if (mix.scope === "workload") return mix.subject === change.workload;
    if (mix.scope === "team") return mix.teamOfWorkload[change.workload] === mix.subject;
    return true;
  }
  if (change.team) return mix.scope === "org" || (mix.scope === "team" ? mix.subject === change.team : mix.teamOfWorkload[mix.subject] === change.team);
  return mix.scope === "org";
}

/**
 * Per-day multipliers and addends (nano-USD) for `horizon` days from `start`.
 * @example adjustmentsFor([{ kind: "workload_change", workload: "w", percent: 50, ... }], mix, "2026-01-01", 30)
 */
export function adjustmentsFor(changes: PlannedChange[], mix: ScopeMix, start: string, horizon: number): DailyAdjustment {
  const factor = new Array<number>(horizon).fill(1);
  const add = new Array<number>(horizon).fill(0);
  const applied: string[] = [];
  for (const c of changes) {
    const from = Math.max(0, daysBetween(start, c.effective_from));
    const to = c.effective_to ? Math.min(horizon - 1, daysBetween(start, c.effective_to)) : horizon - 1;
    if (from > to) continue;
    let used = false;
    if (c.percent !== null && c.percent !== 0) {
      // A team-level percentage seen from the org scope scales only that team's share.
      const share = c.kind === "workload_change" && !c.workload && c.team && mix.scope === "org" ? (mix.workloadShare[`team:${c.team}`] ?? 0) : coverage(c, mix);
      if (share > 0) {
        for (let d = from; d <= to; d++) factor[d] *= 1 + (share * c.percent) / 100;
        used = true;
      }
    }
    if (c.nusd_per_day !== null && c.nusd_per_day !== 0 && c.kind === "workload_change" && touches(c, mix)) {
      for (let d = from; d <= to; d++) add[d] += c.nusd_per_day;
      used = true;
    }
    if (used) applied.push(c.id);
  }
  return { factor, add, applied };
}
