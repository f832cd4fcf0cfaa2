/**
 * @module
 * Cron Triggers: each expression in wrangler.toml maps to the jobs it runs. Jobs are independent;
 * one failing does not stop the others, and each records its own outcome.
 */
import type { Env } from "../src/env";
import { runFailoverDrills } from "../src/routing/drills";
import { runRestrictedAudit } from "../src/logging/audit";
import { purgeExpiredLogs } from "../src/logging/writer";
import { reviewDatasets, runQualityChecks, runScheduledAdversarial } from "../src/workloads/scheduled";
import { escalateOverdueReviews, openAccessReview, runBaselines, runShadowDiscovery } from "../src/agents/jobs";

export type CronJob = (env: Env, scheduledTime: number) => Promise<void>;

/** Jobs by name; capabilities register theirs here. */
export const cronJobs: Record<string, CronJob> = {
  // Daily (the programme's minimum is monthly); results in failover_drills, failures alert.
  "failover-drills": async (env) => void (await runFailoverDrills(env, { trigger: "cron" })),
  // Agent plane: daily shadow-agent scan, baselines and review escalation; quarterly access reviews.
  "shadow-agent-discovery": async (env, t) => void (await runShadowDiscovery(env, t)),
  "agent-baselines": async (env, t) => void (await runBaselines(env, t)),
  "agent-access-review-escalation": async (env, t) => void (await escalateOverdueReviews(env, t)),
  "agent-access-review": async (env, t) => void (await openAccessReview(env, t, "cron:access-review")),
  // Workloads: adversarial suite against the configured models, quality regressions, dataset review.
  "adversarial-suites": async (env) => void (await runScheduledAdversarial(env)),
  "quality-regressions": async (env, t) => runQualityChecks(env, t),
  "dataset-review": async (env, t) => reviewDatasets(env, t),
  // Log retention per tier, then the audit proving no restricted content is stored (in that order).
  "log-retention-and-restricted-audit": async (env, t) => {
    await purgeExpiredLogs(env, t);
    await runRestrictedAudit(env, t);
  },
};

/** Keep in step with `[triggers] crons` in wrangler.toml. */
export const cronSchedule: Record<string, string[]> = {
  "*/5 * * * *": [],
  "0 3 * * *": ["failover-drills", "shadow-agent-discovery", "agent-baselines", "agent-access-review-escalation", "log-retention-and-restricted-audit", "adversarial-suites", "quality-regressions", "dataset-review"],
  "0 6 1 * *": [],
  "0 7 1 1,4,7,10 *": ["agent-access-review"],
};

export async function handleScheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  const names = cronSchedule[controller.cron] ?? [];
  const results = await Promise.allSettled(names.map((n) => cronJobs[n]?.(env, controller.scheduledTime)));
  results.forEach((r, i) => {
    if (r.status === "rejected") console.error("cron job failed", { job: names[i], error: r.reason instanceof Error ? r.reason.message : String(r.reason) });
  });
  void ctx;
}
