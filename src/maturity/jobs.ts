/**
 * @module
 * The scheduled maturity loops (wired in workers/cron.ts on the quarterly expression): a snapshot
 * each quarter, and the annual review checklist in the January run only.
 */
import type { Env } from "../env";
import { generateReview } from "./reviews";
import { takeSnapshot } from "./snapshots";

/** Quarterly: snapshot the assessment (a decrease opens an investigation and alerts). */
export async function runMaturitySnapshot(env: Env, t: number): Promise<void> {
  await takeSnapshot(env, { trigger: "cron:quarterly", actor: "cron:maturity-snapshot", now: t });
}

/**
 * January only: generates the year's annual review checklist (once per year; a rerun is a no-op).
 * @example await runAnnualReview(env, Date.parse("2027-01-01T07:00:00Z")) // generates 2027's
 */
export async function runAnnualReview(env: Env, t: number): Promise<{ year: number; created: boolean } | undefined> {
  const at = new Date(t);
  if (at.getUTCMonth() !== 0) return undefined;
  const { review, created } = await generateReview(env, { year: at.getUTCFullYear(), actor: "cron:maturity-annual-review", now: t });
  return { year: review.year, created };
}
