/**
 * @module
 * The shapes of the live Stage 3 self-assessment: a criterion is one "Exit Criteria" bullet of
 * the requirements (or one sustaining practice) with a pure `evaluate(facts)`; the facts are plain
 * data gathered once from D1 (./gather-facts.ts), so every verdict can be tested without a runtime.
 */
import type { MaturityFacts } from "./facts";

export type LayerId = "layer-1" | "layer-2" | "layer-3" | "layer-4" | "layer-5" | "sustaining";
export const LAYER_IDS: readonly LayerId[] = ["layer-1", "layer-2", "layer-3", "layer-4", "layer-5", "sustaining"];

export type CriterionStatus = "met" | "not_met" | "not_applicable";

/** A link to the record(s) a verdict rests on: an admin API path the reader can open. */
export interface Evidence {
  label: string;
  href: string;
  at?: string;
}

export interface Verdict {
  status: CriterionStatus;
  /** Why not applicable, or a one-line summary of what was found. */
  reason?: string;
  evidence: Evidence[];
  /** What record is missing when not met; [] when met or not applicable. */
  missing: string[];
}

export interface Criterion {
  /** Stable: `l1.<slug>` … `l5.<slug>`, `s.<slug>`; recommendations and snapshots key on it. */
  id: string;
  layer: LayerId;
  /** The criterion as the requirements word it. */
  text: string;
  /** What to do when it is not met (becomes the recommendation's action). */
  action: string;
  /**
   * Reads zone facts (reports, incidents, forecasts, agent calls...): when a region did not
   * answer, the verdict says so in `missing` instead of judging a part of the organisation.
   */
  readsZones?: boolean;
  evaluate(facts: MaturityFacts): Verdict;
}

export interface Score {
  met: number;
  not_met: number;
  not_applicable: number;
  total: number;
  /** met ÷ (total − not_applicable) × 100, one decimal; 0 when nothing is applicable. */
  percent: number;
}

export interface AssessedCriterion extends Verdict {
  id: string;
  text: string;
}

export interface AssessedLayer {
  id: LayerId;
  name: string;
  score: Score;
  criteria: AssessedCriterion[];
}

export interface Assessment {
  assessed_at: string;
  score: Score;
  layers: AssessedLayer[];
  /** Which regions' zone stores the verdicts rest on. */
  regions: MaturityFacts["zones"];
}

const DAY_MS = 86_400_000;

/** Verdict helpers: a criterion states what it found, the helper keeps the shape honest. */
export function met(reason: string, evidence: Evidence[]): Verdict {
  return { status: "met", reason, evidence, missing: [] };
}

export function notMet(missing: string[], evidence: Evidence[] = [], reason?: string): Verdict {
  return { status: "not_met", ...(reason ? { reason } : {}), evidence, missing };
}

export function notApplicable(reason: string, evidence: Evidence[] = []): Verdict {
  return { status: "not_applicable", reason, evidence, missing: [] };
}

/** Whole days between an ISO time and `now` (ms). */
export function ageDays(iso: string, now: number): number {
  return (now - Date.parse(iso)) / DAY_MS;
}

/** "2026-11" → "2026-10". */
export function previousMonth(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}

/**
 * The latest pair of consecutive months among `months` ("YYYY-MM"), newest first, or undefined.
 * @example latestConsecutivePair(["2026-09", "2026-11", "2026-10"]) // ["2026-11", "2026-10"]
 */
export function latestConsecutivePair(months: readonly string[]): [string, string] | undefined {
  const set = new Set(months);
  for (const m of [...set].sort().reverse()) if (set.has(previousMonth(m))) return [m, previousMonth(m)];
  return undefined;
}

/**
 * An admin path for a record that lives in one zone: `?region=` (or `&region=`) names it when
 * known, so the link reads that region's store from any edge.
 * @example regionHref("/admin/v1/reports/rep_1", "eu") // "/admin/v1/reports/rep_1?region=eu"
 */
export function regionHref(href: string, region: string | undefined): string {
  return region ? `${href}${href.includes("?") ? "&" : "?"}region=${encodeURIComponent(region)}` : href;
}

/** "2 of 3" style counts read better in summaries than bare numbers. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
