/**
 * @module
 * DLP spike. Detect: a workload's DLP findings or blocks per request in the last 15 minutes
 * jump far above its own 7-day baseline (usage events carry finding types and counts, never
 * values). Diagnose: by entity type, key and source (user agent). Remediate: when the team's
 * policy allows (default 60 min), tighten the spiking types on that workload to `block` for a
 * bounded time, with an audit record; the previous policy is restored on resolution or expiry.
 * Always escalates to security.
 */
import { DEFAULT_DLP_ACTIONS } from "../../../dlp/policy";
import { addStep } from "../../incidents/store";
import { page } from "../../page";
import { opsPolicy } from "../../policy";
import type { Runbook, RunbookContext, Signal } from "../types";
import { changeWorkload, readWorkload, remediationDetail } from "../workload-config";
import { dlpSpikes, type DlpWindowCounts } from "./decide";

const KIND = "dlp_spike";
const RECENT_MS = 15 * 60_000;
const BASELINE_MS = 7 * 86_400_000;

const FINDINGS = "COALESCE(json_extract(detail, '$.dlp_request.findings'), 0)";
const BLOCKED = "(error_code = 'dlp_blocked')";

async function windowCounts(ctx: RunbookContext): Promise<DlpWindowCounts[]> {
  const recent = new Date(ctx.now - RECENT_MS).toISOString();
  const base = new Date(ctx.now - RECENT_MS - BASELINE_MS).toISOString();
  const r = await ctx.env.DB.prepare(
    `SELECT workload, MAX(team) AS team,
       SUM(ts >= ?1) AS rn, SUM(CASE WHEN ts >= ?1 THEN ${FINDINGS} ELSE 0 END) AS rf, SUM(ts >= ?1 AND ${BLOCKED}) AS rb,
       SUM(ts < ?1) AS bn, SUM(CASE WHEN ts < ?1 THEN ${FINDINGS} ELSE 0 END) AS bf, SUM(ts < ?1 AND ${BLOCKED}) AS bb
     FROM usage_events WHERE ts >= ?2 AND workload IS NOT NULL GROUP BY workload`,
  ).bind(recent, base).all<{ workload: string; team: string | null; rn: number; rf: number; rb: number; bn: number; bf: number; bb: number }>();
  return r.results.map((x) => ({
    workload: x.workload, team: x.team, recentRequests: x.rn ?? 0, recentFindings: x.rf ?? 0, recentBlocks: x.rb ?? 0,
    baseRequests: x.bn ?? 0, baseFindings: x.bf ?? 0, baseBlocks: x.bb ?? 0,
  }));
}

function tally(into: Record<string, number>, key: string | null | undefined): void {
  const k = key ?? "(unknown)";
  into[k] = (into[k] ?? 0) + 1;
}

/** Bounded time: a tightening whose `until` passed is undone even while the incident stays open. */
async function expireTightenings(ctx: RunbookContext): Promise<void> {
  if (ctx.drill) return;
  const open = await ctx.env.DB.prepare(
    `SELECT i.id FROM incidents i WHERE i.kind = ? AND i.status != 'resolved' AND i.drill = 0
       AND NOT EXISTS (SELECT 1 FROM incident_steps s WHERE s.incident_id = i.id AND s.step = 'expire')`,
  ).bind(KIND).all<{ id: string }>();
  for (const { id } of open.results) {
    const done = await remediationDetail(ctx.env, id);
    if (!done || typeof done.until !== "string" || Date.parse(done.until) > ctx.now) continue;
    const r = await dlpSpike.resolve(ctx, { id, subject: null, diagnosis: {} });
    await addStep(ctx.env, id, "expire", { ...r, detail: { ...r.detail, until: done.until } });
  }
}

export const dlpSpike: Runbook = {
  kind: KIND,
  autonomy: "when the team allows (default 60 min), sets the spiking entity types to block on that workload for a bounded time, then restores; always pages security",

  async detect(ctx) {
    await expireTightenings(ctx);
    return dlpSpikes(await windowCounts(ctx)).map((s): Signal => ({
      fingerprint: `dlp:${s.workload}`, severity: "warning", team: s.team ?? undefined, subject: `workloads/${s.workload}`,
      startedAt: new Date(ctx.now - RECENT_MS).toISOString(),
      title: `DLP ${s.metric} on workload ${s.workload} at ${s.recent_rate}/request (baseline ${s.baseline_rate})`,
      evidence: { ...s },
    }));
  },

  async diagnose(ctx, signal) {
    const workload = signal.subject.replace(/^workloads\//, "");
    const rows = await ctx.env.DB.prepare(
      `SELECT key_id, error_code, json_extract(detail, '$.dlp_request.types') AS types, json_extract(detail, '$.user_agent') AS ua
       FROM usage_events WHERE workload = ? AND ts >= ? AND ${FINDINGS} > 0 LIMIT 5000`,
    ).bind(workload, new Date(ctx.now - RECENT_MS).toISOString()).all<{ key_id: string | null; error_code: string | null; types: string | null; ua: string | null }>();
    const byType: Record<string, number> = {};
    const byKey: Record<string, number> = {};
    const bySource: Record<string, number> = {};
    for (const r of rows.results) {
      for (const t of r.types ? (JSON.parse(r.types) as string[]) : []) tally(byType, t);
      tally(byKey, r.key_id);
      tally(bySource, r.ua?.slice(0, 80));
    }
    const types = Object.entries(byType).sort((a, b) => b[1] - a[1]).map(([t]) => t);
    return {
      facts: { workload, team: signal.team ?? null, metric: signal.evidence.metric, by_entity_type: byType, by_key: byKey, by_source: bySource, entity_types: types, sampled_requests: rows.results.length },
      mustEscalate: "DLP spikes always go to security",
    };
  },

  async remediate(ctx, signal, diagnosis) {
    const policy = await opsPolicy(ctx.env, signal.team);
    const workload = String(diagnosis.facts.workload);
    const types = (diagnosis.facts.entity_types as string[]).slice(0, 10);
    const inputs = { workload, types, minutes: policy.dlp_tighten_minutes };
    if (policy.dlp_tighten_minutes === 0) return { outcome: "skipped", inputs, detail: { reason: "team policy: never tighten automatically" } };
    const current = await readWorkload(ctx.env, workload);
    if (!current) return { outcome: "skipped", inputs, detail: { reason: `workload ${workload} not found` } };
    const actionOf = (t: string) => current.dlp?.actions?.[t] ?? (DEFAULT_DLP_ACTIONS as Record<string, unknown>)[t] ?? current.dlp?.default_action ?? "redact";
    const tighten = types.filter((t) => actionOf(t) !== "block");
    if (tighten.length === 0) return { outcome: "skipped", inputs, detail: { reason: "every spiking type is already blocked" } };
    const until = new Date(ctx.now + policy.dlp_tighten_minutes * 60_000).toISOString();
    if (ctx.drill) return { outcome: "dry_run", inputs, detail: { would: `block ${tighten.join(", ")} on ${workload} until ${until}` } };
    const previous = current.dlp ?? null;
    const changed = await changeWorkload(ctx.env, workload, (w) => ({
      ...w, dlp: { ...w.dlp, actions: { ...w.dlp?.actions, ...Object.fromEntries(tighten.map((t) => [t, "block" as const])) } } as typeof w.dlp,
    }), { actor: ctx.actor, action: "runbook.dlp_spike.tighten", detail: { types: tighten, until } });
    if (!changed) return { outcome: "failed", inputs, detail: { reason: "workload vanished" } };
    return { outcome: "ok", inputs, detail: { workload, tightened: tighten, until, previous_dlp: previous } };
  },

  async verify(ctx, signal, diagnosis) {
    const w = await readWorkload(ctx.env, String(diagnosis.facts.workload));
    const blocked = Object.entries(w?.dlp?.actions ?? {}).filter(([, a]) => a === "block").map(([t]) => t);
    return { outcome: "ok", detail: { blocked_types: blocked } };
  },

  async escalate(ctx, signal, reason, diagnosis) {
    const policy = await opsPolicy(ctx.env, signal.team);
    const r = await page(ctx.env, {
      kind: "escalation", severity: ctx.drill ? "info" : "critical", team: signal.team, title: `${ctx.drill ? "[drill] " : ""}${signal.title}`,
      evidence: { runbook: KIND, reason, workload: diagnosis.facts.workload, by_entity_type: diagnosis.facts.by_entity_type, by_key: diagnosis.facts.by_key },
    }, { roles: ["security"], addresses: ctx.drill || !policy.security_email ? [] : [policy.security_email] });
    return { outcome: "ok", inputs: { reason }, detail: r };
  },

  async resolve(ctx, incident) {
    const done = ctx.drill ? undefined : await remediationDetail(ctx.env, incident.id);
    if (!done || typeof done.workload !== "string") return { outcome: "ok", detail: { reason: "spike over; nothing to undo" } };
    const previous = (done.previous_dlp ?? undefined) as Parameters<Parameters<typeof changeWorkload>[2]>[0]["dlp"];
    const restored = await changeWorkload(ctx.env, done.workload, (w) => {
      const next = { ...w };
      if (previous) next.dlp = previous;
      else delete next.dlp;
      return next;
    }, { actor: ctx.actor, action: "runbook.dlp_spike.restore", detail: { types: done.tightened } });
    return { outcome: restored ? "ok" : "skipped", inputs: { workload: done.workload }, detail: { restored_policy: previous ?? "default" } };
  },

  async synthetic(ctx, params) {
    const workload = typeof params.workload === "string" ? params.workload : "synthetic-workload";
    return {
      fingerprint: `drill:dlp:${workload}`, severity: "warning", subject: `workloads/${workload}`, startedAt: new Date(ctx.now).toISOString(),
      title: `DLP findings on workload ${workload} at 0.8/request (baseline 0.05)`,
      evidence: { workload, metric: "findings", recent_rate: 0.8, baseline_rate: 0.05, synthetic: true },
    };
  },
};
