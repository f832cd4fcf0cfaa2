/**
 * @module
 * Quality trends from production samples: a sample's score is its human grade when a person
 * graded it, else its automated score. Daily means per workload, and regression detection:
 * the last `recentDays` against the days before them, alerting only when the drop exceeds the
 * workload's margin AND a one-sided Welch t-test says it is unlikely to be noise (p < 0.05,
 * at least 10 samples on each side), so one bad sample never pages anyone.
 */
import { and, eq, gte } from "drizzle-orm";
import { zoneDb } from "../config/store";
import { evalSamples } from "../db/workloads-schema";
import type { Env } from "../env";
import { raiseAlert } from "../operations/alerts";
import { DEFAULT_REGRESSION_MARGIN } from "./settings";
import { mean, welchDrop, type DropTest } from "./stats";

export interface ScoredSample {
  day: string;
  score: number | null;
  humanScore: number | null;
}

export interface TrendDay {
  day: string;
  samples: number;
  scored: number;
  human_graded: number;
  mean_score: number | null;
}

/** The score a sample counts with (human grade first), or null. */
export const effectiveScore = (s: ScoredSample): number | null => s.humanScore ?? s.score;

/** Daily trend (pure). */
export function dailyTrend(samples: readonly ScoredSample[]): TrendDay[] {
  const byDay = new Map<string, ScoredSample[]>();
  for (const s of samples) byDay.set(s.day, [...(byDay.get(s.day) ?? []), s]);
  return [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, list]) => {
    const scores = list.map(effectiveScore).filter((v): v is number => v !== null);
    return { day, samples: list.length, scored: scores.length, human_graded: list.filter((s) => s.humanScore !== null).length, mean_score: scores.length ? mean(scores) : null };
  });
}

export const MIN_SAMPLES_EACH_SIDE = 10;
export const SIGNIFICANCE = 0.05;

export interface RegressionCheck extends Partial<DropTest> {
  regressed: boolean;
  margin: number;
  reason: string;
}

/**
 * Splits samples at `since` (ISO day) into baseline and recent and tests for a drop (pure).
 * @example detectRegression(samples, "2026-06-01", 0.1).regressed
 */
export function detectRegression(samples: readonly ScoredSample[], since: string, margin = DEFAULT_REGRESSION_MARGIN): RegressionCheck {
  const score = (s: ScoredSample) => effectiveScore(s);
  const baseline = samples.filter((s) => s.day < since).map(score).filter((v): v is number => v !== null);
  const recent = samples.filter((s) => s.day >= since).map(score).filter((v): v is number => v !== null);
  if (baseline.length < MIN_SAMPLES_EACH_SIDE || recent.length < MIN_SAMPLES_EACH_SIDE) {
    return { regressed: false, margin, reason: `not enough scored samples (baseline ${baseline.length}, recent ${recent.length}; need ${MIN_SAMPLES_EACH_SIDE} each)` };
  }
  const t = welchDrop(baseline, recent);
  const regressed = t.drop > margin && t.p_value < SIGNIFICANCE;
  return { ...t, regressed, margin, reason: regressed ? `score fell ${t.drop.toFixed(3)} (> ${margin}), p=${t.p_value.toExponential(2)}` : `no significant drop beyond ${margin} (drop ${t.drop.toFixed(3)}, p=${t.p_value.toFixed(3)})` };
}

const dayIso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Samples of a workload since a day (with scores only: never content). */
export async function loadScores(env: Env, workload: string, sinceDay: string): Promise<ScoredSample[]> {
  return zoneDb(env).select({ day: evalSamples.day, score: evalSamples.score, humanScore: evalSamples.humanScore }).from(evalSamples)
    .where(and(eq(evalSamples.workload, workload), gte(evalSamples.day, sinceDay))).all();
}

/**
 * The daily regression job: for each workload with sampling, the last day against the 29 days
 * before it; a regression raises a `quality_regression` alert.
 */
export async function checkQualityRegressions(env: Env, workloads: ReadonlyArray<{ id: string; margin?: number }>, now: number): Promise<Array<{ workload: string } & RegressionCheck>> {
  const out: Array<{ workload: string } & RegressionCheck> = [];
  for (const w of workloads) {
    const samples = await loadScores(env, w.id, dayIso(now - 30 * 86_400_000));
    const r = detectRegression(samples, dayIso(now - 86_400_000), w.margin);
    if (r.regressed) {
      await raiseAlert(env, {
        kind: "quality_regression", severity: "warning", title: `Quality of workload ${w.id} dropped below its baseline`,
        evidence: { workload: w.id, baseline_mean: r.baseline_mean, recent_mean: r.recent_mean, drop: r.drop, p_value: r.p_value, margin: r.margin, n_baseline: r.n_baseline, n_recent: r.n_recent },
      });
    }
    out.push({ workload: w.id, ...r });
  }
  return out;
}
