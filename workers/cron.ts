/**
 * @module
 * Cron Triggers: each expression in wrangler.toml maps to the jobs it runs. Jobs are independent;
 * one failing does not stop the others, and each records its own outcome.
 */
import type { Env } from "../src/env";

export type CronJob = (env: Env, scheduledTime: number) => Promise<void>;

/** Jobs by name; capabilities register theirs here. */
export const cronJobs: Record<string, CronJob> = {};

/** Keep in step with `[triggers] crons` in wrangler.toml. */
export const cronSchedule: Record<string, string[]> = {
  "*/5 * * * *": [],
  "0 3 * * *": [],
  "0 6 1 * *": [],
  "0 7 1 1,4,7,10 *": [],
};

export async function handleScheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  const names = cronSchedule[controller.cron] ?? [];
  const results = await Promise.allSettled(names.map((n) => cronJobs[n]?.(env, controller.scheduledTime)));
  results.forEach((r, i) => {
    if (r.status === "rejected") console.error("cron job failed", { job: names[i], error: r.reason instanceof Error ? r.reason.message : String(r.reason) });
  });
  void ctx;
}
