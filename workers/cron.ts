/**
 * @module
 * Cron Triggers: each expression in wrangler.toml maps to the jobs it runs. Jobs are independent;
 * one failing does not stop the others, and each records its own outcome.
 */
import type { Env } from "../src/env";
import { runFailoverDrills } from "../src/routing/drills";
import { runRestrictedAudit } from "../src/logging/audit";
import { purgeExpiredLogs } from "../src/logging/writer";
import { runDailyFinance } from "../src/operations/forecast/jobs";
import { retryUndelivered, runMonthlyReports } from "../src/operations/reports/archive";
import { openQuarterlyReview, runEvidenceJob, runGovernanceCheck } from "../src/governance/jobs";
import { openRound } from "../src/operations/nps/store";
import { runDetection } from "../src/operations/runbooks";
import { runGuardrailTuning } from "../src/operations/tuning/job";
import { reviewDatasets, runQualityChecks, runScheduledAdversarial } from "../src/workloads/scheduled";
import { runModelWatcher } from "../src/workloads/model-watcher";
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
  // Finance: today's forecast snapshot, accuracy of past months, budget-exhaustion warnings.
  "finance-daily": async (env, t) => void (await runDailyFinance(env, t)),
  // Monthly finance and compliance reports for the month just ended (archived, emailed).
  "monthly-reports": async (env, t) => void (await runMonthlyReports(env, t)),
  // A report whose email failed is retried on the next run, never resent to anyone it reached.
  "report-delivery-retry": async (env, t) => void (await retryUndelivered(env, t)),
  // Governance: daily check against live config (alerts), monthly evidence job, quarterly review.
  "governance-check": async (env, t) => void (await runGovernanceCheck(env, t)),
  "governance-evidence": async (env, t) => void (await runEvidenceJob(env, t)),
  "governance-quarterly-review": async (env, t) => void (await openQuarterlyReview(env, t)),
  // Operations: every runbook's detection pass (incidents open, remediate, resolve themselves).
  "incident-detection": async (env, t) => void (await runDetection(env, t)),
  // Weekly: guardrail tuning recommendations (auto-applies only opted-in, non-security ones).
  "guardrail-tuning": async (env, t) => void (await runGuardrailTuning(env, t)),
  // Developer NPS: a survey round each quarter.
  "nps-survey-round": async (env, t) => void (await openRound(env, { trigger: "cron:quarterly", now: t })),
  // Workloads: adversarial suite against the configured models, quality regressions, dataset review.
  "adversarial-suites": async (env) => void (await runScheduledAdversarial(env)),
  "quality-regressions": async (env, t) => runQualityChecks(env, t),
  "dataset-review": async (env, t) => reviewDatasets(env, t),
  // Provider model lists: a newer version of a catalog target becomes a candidate, evaluated before promotion.
  "model-watcher": async (env) => void (await runModelWatcher(env)),
  // Log retention per tier, then the audit proving no restricted content is stored (in that order).
  "log-retention-and-restricted-audit": async (env, t) => {
    await purgeExpiredLogs(env, t);
    await runRestrictedAudit(env, t);
  },
};

/** Keep in step with `[triggers] crons` in wrangler.toml. */
export const cronSchedule: Record<string, string[]> = {
  "*/5 * * * *": ["report-delivery-retry", "incident-detection"],
  "0 3 * * *": [
    "failover-drills", "shadow-agent-discovery", "agent-baselines", "agent-access-review-escalation",
    "log-retention-and-restricted-audit", "finance-daily", "governance-check", "adversarial-suites",
    "quality-regressions", "dataset-review", "model-watcher",
  ],
  "0 4 * * 1": ["guardrail-tuning"],
  "0 6 1 * *": ["monthly-reports", "governance-evidence"],
  "0 7 1 1,4,7,10 *": ["agent-access-review", "governance-quarterly-review", "nps-survey-round"],
};

export async function handleScheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  const names = cronSchedule[controller.cron] ?? [];
  const results = await Promise.allSettled(names.map((n) => cronJobs[n]?.(env, controller.scheduledTime)));
  results.forEach((r, i) => {
    if (r.status === "rejected") console.error("cron job failed", { job: names[i], error: r.reason instanceof Error ? r.reason.message : String(r.reason) });
  });
  void ctx;
}
