/**
 * @module
 * Budget breach. Detect: a team at 100% of its period budget or projected to run out before the
 * period ends (TeamBudget ledger). Diagnose: top workloads, keys and models behind the spend this
 * period and the last day's spend against the previous week's daily mean. Remediate per the
 * team's operations policy: notify only (default), or cap the heaviest workload's rpm (undone on
 * resolution). Always escalates to the team owner and finance. Resolves when the team is no
 * longer in breach (new period, larger budget).
 */
import { usdToNusd, nusdToUsd } from "../../../config/money";
import { budgetStub } from "../../../guardrails/client";
import { DRILL_TEAM } from "../../../routing/drills";
import { page } from "../../page";
import { opsPolicy } from "../../policy";
import { freshBundle } from "../bundle";
import type { Runbook, RunbookContext, Signal } from "../types";
import { changeWorkload, readWorkload, remediationDetail } from "../workload-config";
import { budgetVerdict } from "./decide";
import { configDb } from "../../../config/control-db";

const KIND = "budget_breach";

async function top(ctx: RunbookContext, team: string, column: "workload" | "key_id" | "model", since: string) {
  const r = await ctx.env.DB.prepare(
    `SELECT ${column} AS id, COUNT(*) AS requests, SUM(cost_nusd) AS cost FROM usage_events WHERE team = ? AND ts >= ? GROUP BY ${column} ORDER BY cost DESC LIMIT 5`,
  ).bind(team, since).all<{ id: string | null; requests: number; cost: number }>();
  return r.results.map((x) => ({ [column === "key_id" ? "key" : column]: x.id, requests: x.requests, spent_usd: nusdToUsd(x.cost ?? 0) }));
}

async function spendBetween(ctx: RunbookContext, team: string, from: number, to: number): Promise<number> {
  const r = await ctx.env.DB.prepare("SELECT COALESCE(SUM(cost_nusd), 0) AS cost FROM usage_events WHERE team = ? AND ts >= ? AND ts < ?")
    .bind(team, new Date(from).toISOString(), new Date(to).toISOString()).first<{ cost: number }>();
  return r?.cost ?? 0;
}

export const budgetBreach: Runbook = {
  kind: KIND,
  autonomy: "per team policy: notify only (default) or cap the heaviest workload's rpm until the breach ends; always pages owner and finance",

  async detect(ctx) {
    const bundle = await freshBundle(ctx.env);
    const out: Signal[] = [];
    for (const team of bundle.teams.values()) {
      if (team.id === DRILL_TEAM) continue;
      const status = await budgetStub(ctx.env, team.id).status("team", usdToNusd(team.monthly_budget_usd), team.budget_period ?? "monthly");
      // A refusal counts while the limit it was refused under still holds (a larger budget ends it).
      const refusal = await ctx.env.DB.prepare(
        `SELECT 1 AS x FROM alerts WHERE kind = 'budget_threshold' AND team = ? AND ts >= ? AND json_extract(evidence, '$.refused') = 1
           AND json_extract(evidence, '$.scope') = 'team' AND json_extract(evidence, '$.limit_usd') = ? LIMIT 1`,
      ).bind(team.id, status.periodStart, nusdToUsd(status.limitNusd)).first();
      const v = budgetVerdict({ ...status, refused: refusal !== null }, ctx.now);
      if (!v.breach) continue;
      out.push({
        fingerprint: `budget:${team.id}:${status.periodStart}`, severity: v.breach === "exhausted" ? "critical" : "warning", team: team.id,
        subject: `teams/${team.id}`, startedAt: new Date(ctx.now).toISOString(),
        title: v.breach === "exhausted" ? `Team ${team.id} has used ${v.percent}% of its ${status.period} budget` : `Team ${team.id} is projected to exhaust its budget by ${v.projectedExhaustionAt}`,
        evidence: { team: team.id, breach: v.breach, percent: v.percent, spent_usd: nusdToUsd(status.spentNusd), limit_usd: nusdToUsd(status.limitNusd), period_start: status.periodStart, period_end: status.periodEnd, projected_exhaustion_at: v.projectedExhaustionAt },
      });
    }
    return out;
  },

  async diagnose(ctx, signal) {
    const team = signal.team!;
    const since = String(signal.evidence.period_start);
    const day = 86_400_000;
    const [workloads, keys, models, lastDay, prevWeek] = await Promise.all([
      top(ctx, team, "workload", since), top(ctx, team, "key_id", since), top(ctx, team, "model", since),
      spendBetween(ctx, team, ctx.now - day, ctx.now), spendBetween(ctx, team, ctx.now - 8 * day, ctx.now - day),
    ]);
    const baseline = prevWeek / 7;
    return {
      facts: {
        team, breach: signal.evidence.breach, percent: signal.evidence.percent, top_workloads: workloads, top_keys: keys, top_models: models,
        last_24h_usd: nusdToUsd(lastDay), baseline_daily_usd: nusdToUsd(Math.round(baseline)),
        change_vs_baseline: baseline > 0 ? Math.round(((lastDay - baseline) / baseline) * 1000) / 1000 : null,
      },
      mustEscalate: `budget ${String(signal.evidence.breach)} (${String(signal.evidence.percent)}%)`,
    };
  },

  async remediate(ctx, signal, diagnosis) {
    const policy = await opsPolicy(ctx.env, signal.team);
    let heaviest = (diagnosis.facts.top_workloads as Array<{ workload: string | null }>)[0]?.workload ?? null;
    if (!heaviest && ctx.drill) {
      // A synthetic breach has no spend: rehearse on any workload of the team.
      heaviest = (await configDb(ctx.env).prepare("SELECT id FROM workloads WHERE team = ? ORDER BY id LIMIT 1").bind(signal.team ?? "").first<{ id: string }>())?.id ?? null;
    }
    const inputs = { policy: policy.budget_action, workload: heaviest, throttle_rpm: policy.throttle_rpm };
    if (policy.budget_action === "notify") return { outcome: "skipped", inputs, detail: { reason: "team policy: notify only" } };
    if (policy.budget_action === "downgrade") {
      // Moving traffic to another model changes answers; it is paged with the suggestion, not done here.
      return { outcome: "skipped", inputs, detail: { reason: "model moves are proposed to the owner, not applied automatically" } };
    }
    if (!heaviest) return { outcome: "skipped", inputs, detail: { reason: "no spend by workload this period" } };
    if (ctx.drill) return { outcome: "dry_run", inputs, detail: { would: `cap ${heaviest} at ${policy.throttle_rpm} rpm` } };
    const changed = await changeWorkload(ctx.env, heaviest, (w) => ({ ...w, limits: { ...w.limits, rpm: Math.min(w.limits?.rpm ?? Infinity, policy.throttle_rpm) } }), {
      actor: ctx.actor, action: "runbook.budget_breach.throttle", detail: { team: signal.team, rpm: policy.throttle_rpm },
    });
    if (!changed) return { outcome: "failed", inputs, detail: { reason: `workload ${heaviest} not found` } };
    return { outcome: "ok", inputs, detail: { workload: heaviest, previous_rpm: changed.before.limits?.rpm ?? null, rpm: changed.after.limits?.rpm } };
  },

  async verify(ctx, signal) {
    const policy = await opsPolicy(ctx.env, signal.team);
    if (policy.budget_action !== "throttle" || ctx.drill) return { outcome: "ok", detail: { checked: "nothing to verify beyond the page" } };
    const bundle = await freshBundle(ctx.env);
    const capped = [...bundle.workloads.values()].filter((w) => w.team === signal.team && w.limits?.rpm !== undefined && w.limits.rpm <= policy.throttle_rpm);
    return { outcome: capped.length ? "ok" : "failed", detail: { capped_workloads: capped.map((w) => w.id) } };
  },

  async escalate(ctx, signal, reason, diagnosis) {
    const policy = await opsPolicy(ctx.env, signal.team);
    // The team's own owner_email and FINANCE_EMAIL stand in when the operations policy names nobody.
    const team = signal.team ? (await freshBundle(ctx.env)).teams.get(signal.team) : undefined;
    const owner = policy.owner_email ?? team?.owner_email;
    const finance = policy.finance_email ?? ctx.env.FINANCE_EMAIL;
    const addresses = ctx.drill ? [] : [owner, finance].filter((e): e is string => !!e);
    const r = await page(ctx.env, {
      kind: "escalation", severity: ctx.drill ? "info" : signal.severity, team: signal.team, title: `${ctx.drill ? "[drill] " : ""}${signal.title}`,
      evidence: { runbook: KIND, reason, team: signal.team, top_workloads: diagnosis.facts.top_workloads, change_vs_baseline: diagnosis.facts.change_vs_baseline },
    }, { roles: ["team-owner", "finance"], addresses });
    return { outcome: "ok", inputs: { reason }, detail: r };
  },

  async resolve(ctx, incident) {
    const done = ctx.drill ? undefined : await remediationDetail(ctx.env, incident.id);
    const workload = typeof done?.workload === "string" ? done.workload : undefined;
    if (!workload) return { outcome: "ok", detail: { reason: "budget no longer in breach; nothing to undo" } };
    const previous = typeof done?.previous_rpm === "number" ? done.previous_rpm : undefined;
    const current = await readWorkload(ctx.env, workload);
    if (!current) return { outcome: "skipped", detail: { reason: `workload ${workload} is gone` } };
    await changeWorkload(ctx.env, workload, (w) => {
      const limits = { ...w.limits };
      if (previous === undefined) delete limits.rpm;
      else limits.rpm = previous;
      return { ...w, limits };
    }, { actor: ctx.actor, action: "runbook.budget_breach.unthrottle", detail: { restored_rpm: previous ?? null } });
    return { outcome: "ok", inputs: { workload }, detail: { restored_rpm: previous ?? null } };
  },

  async synthetic(ctx, params) {
    const team = typeof params.team === "string" ? params.team : "synthetic-team";
    return {
      fingerprint: `drill:budget:${team}`, severity: "critical", team, subject: `teams/${team}`, startedAt: new Date(ctx.now).toISOString(),
      title: `Team ${team} has used 100% of its budget`,
      evidence: { team, breach: "exhausted", percent: 100, synthetic: true, period_start: new Date(ctx.now - 86_400_000).toISOString() },
    };
  },
};
