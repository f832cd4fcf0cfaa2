/**
 * @module
 * Every runbook by kind: the `*\/5` cron runs each one's detection pass, the drill endpoint
 * looks them up here. Adding a runbook is adding a folder and one line below.
 */
import type { Env } from "../../env";
import { runRunbook, type RunSummary } from "../incidents/engine";
import { budgetBreach } from "./budget-breach";
import { dlpSpike } from "./dlp-spike";
import { providerOutage } from "./provider-outage";
import type { Runbook } from "./types";

export const runbooks: Readonly<Record<string, Runbook>> = {
  [providerOutage.kind]: providerOutage,
  [budgetBreach.kind]: budgetBreach,
  [dlpSpike.kind]: dlpSpike,
};

/**
 * One detection pass of every runbook; one failing does not stop the others.
 * @example await runDetection(env, Date.now())
 */
export async function runDetection(env: Env, now: number, only?: string[]): Promise<RunSummary[]> {
  const kinds = only ?? Object.keys(runbooks);
  const results = await Promise.allSettled(kinds.map((k) => runRunbook({ env, now, drill: false, actor: `system:runbook:${k}` }, runbooks[k])));
  return results.flatMap((r, i) => {
    if (r.status === "fulfilled") return [r.value];
    console.error("runbook failed", { kind: kinds[i], error: r.reason instanceof Error ? r.reason.message : String(r.reason) });
    return [];
  });
}
