/**
 * @module
 * Runs a runbook: every signal without an open incident opens one (and groups the related open
 * alerts under it), then diagnose → remediate → verify, escalating when a step fails or the
 * diagnosis says a human is needed. An open incident whose signal is gone is resolved (the
 * runbook undoes its temporary measures first). Every step is recorded on the incident and every
 * automated action also gets an audit row. A step that throws is recorded as failed, never
 * thrown further: one broken runbook must not stop the others.
 */
import { audit } from "../../config/store";
import { raiseAlert } from "../alerts";
import type { Diagnosis, Runbook, RunbookContext, Signal, StepResult } from "../runbooks/types";
import { addStep, createIncident, openIncidents, updateIncident, type IncidentRow } from "./store";

/** Alert kinds the data plane raises that belong to a runbook's incidents (grouped by team). */
const RELATED_ALERT_KINDS: Record<string, string[]> = { budget_breach: ["budget_threshold", "budget_exhaustion"] };

async function step(ctx: RunbookContext, incidentId: string, name: string, run: () => Promise<StepResult>): Promise<StepResult> {
  let r: StepResult;
  try {
    r = await run();
  } catch (err) {
    r = { outcome: "failed", detail: { error: err instanceof Error ? err.message : String(err) } };
  }
  await addStep(ctx.env, incidentId, name, r);
  if (name === "remediate" || name === "escalate" || name === "resolve") {
    await audit(ctx.env, { actor: ctx.actor, action: `runbook.${name}`, resource: `incidents/${incidentId}`, detail: { outcome: r.outcome, drill: ctx.drill, ...r.detail } });
  }
  return r;
}

/** Links open, unassigned alerts of the same team to the incident; returns the earliest's time. */
async function groupAlerts(ctx: RunbookContext, kind: string, incidentId: string, signal: Signal): Promise<string | undefined> {
  const kinds = RELATED_ALERT_KINDS[kind];
  if (!kinds || !signal.team || ctx.drill) return undefined;
  // Only alerts of the same episode: since the signal's period began (else the last day), so an
  // old, never-closed alert cannot stretch MTTD back by months.
  const since = typeof signal.evidence.period_start === "string" ? signal.evidence.period_start : new Date(ctx.now - 86_400_000).toISOString();
  const marks = kinds.map(() => "?").join(",");
  const where = `kind IN (${marks}) AND team = ? AND ts >= ? AND incident_id IS NULL AND resolved_at IS NULL`;
  const first = await ctx.env.DB.prepare(`SELECT MIN(ts) AS ts FROM alerts WHERE ${where}`).bind(...kinds, signal.team, since).first<{ ts: string | null }>();
  await ctx.env.DB.prepare(`UPDATE alerts SET incident_id = ? WHERE ${where}`).bind(incidentId, ...kinds, signal.team, since).run();
  return first?.ts ?? undefined;
}

/**
 * Opens and works one incident for a new signal; returns its id.
 * @example await handleSignal(ctx, providerOutage, signal)
 */
export async function handleSignal(ctx: RunbookContext, runbook: Runbook, signal: Signal): Promise<string> {
  const detectedAt = new Date().toISOString();
  const id = await createIncident(ctx.env, {
    kind: runbook.kind, fingerprint: signal.fingerprint, title: signal.title, severity: signal.severity, drill: ctx.drill,
    team: signal.team, subject: signal.subject, startedAt: signal.startedAt, detectedAt,
  });
  const earliestAlert = await groupAlerts(ctx, runbook.kind, id, signal);
  if (earliestAlert && earliestAlert < signal.startedAt) {
    await ctx.env.DB.prepare("UPDATE incidents SET started_at = ? WHERE id = ?").bind(earliestAlert, id).run();
  }
  await addStep(ctx.env, id, "detect", { outcome: "ok", inputs: { fingerprint: signal.fingerprint }, detail: signal.evidence });
  const prefix = ctx.drill ? "[drill] " : "";
  await raiseAlert(ctx.env, {
    kind: runbook.kind, severity: ctx.drill ? "info" : signal.severity, title: `${prefix}${signal.title}`,
    evidence: { incident: id, drill: ctx.drill, ...signal.evidence }, team: signal.team, incidentId: id,
  });
  let diagnosis: Diagnosis = { facts: {} };
  const d = await step(ctx, id, "diagnose", async () => {
    diagnosis = await runbook.diagnose(ctx, signal);
    return { outcome: "ok", detail: diagnosis.facts, ...(diagnosis.mustEscalate ? { inputs: { must_escalate: diagnosis.mustEscalate } } : {}) };
  });
  await updateIncident(ctx.env, id, { diagnosis: JSON.stringify(diagnosis.facts) });
  const rem = d.outcome === "failed" ? undefined : await step(ctx, id, "remediate", () => runbook.remediate(ctx, signal, diagnosis));
  const ver = rem && rem.outcome !== "failed" ? await step(ctx, id, "verify", () => runbook.verify(ctx, signal, diagnosis)) : undefined;
  if (ver && ver.outcome !== "failed" && rem?.outcome !== "skipped") {
    await updateIncident(ctx.env, id, { status: "mitigated", mitigated_at: new Date().toISOString() });
  }
  const reason = diagnosis.mustEscalate ?? (d.outcome === "failed" ? "diagnosis failed" : !rem || rem.outcome === "failed" ? "remediation failed" : !ver || ver.outcome === "failed" ? "verification failed" : undefined);
  if (reason) {
    const e = await step(ctx, id, "escalate", () => runbook.escalate(ctx, signal, reason, diagnosis));
    if (e.outcome !== "failed") await updateIncident(ctx.env, id, { escalated_at: new Date().toISOString() });
  }
  return id;
}

/** Resolves an incident whose signal is gone, after the runbook undid its temporary measures. */
export async function resolveIncident(ctx: RunbookContext, runbook: Runbook, inc: IncidentRow): Promise<void> {
  const diagnosis = inc.diagnosis ? (JSON.parse(inc.diagnosis) as Record<string, unknown>) : {};
  await step(ctx, inc.id, "resolve", () => runbook.resolve(ctx, { id: inc.id, subject: inc.subject, diagnosis }));
  const at = new Date().toISOString();
  await updateIncident(ctx.env, inc.id, { status: "resolved", resolved_at: at, mitigated_at: at });
  await ctx.env.DB.prepare("UPDATE alerts SET resolved_at = ?, resolved_by = ? WHERE incident_id = ? AND resolved_at IS NULL").bind(at, ctx.actor, inc.id).run();
}

export interface RunSummary {
  kind: string;
  opened: string[];
  resolved: string[];
  ongoing: string[];
}

/**
 * One detection pass of a runbook (the `*\/5` cron runs this for each).
 * @example await runRunbook({ env, now: Date.now(), drill: false, actor: "system:runbook:provider_outage" }, providerOutage)
 */
export async function runRunbook(ctx: RunbookContext, runbook: Runbook): Promise<RunSummary> {
  const signals = await runbook.detect(ctx);
  const open = await openIncidents(ctx.env, runbook.kind);
  const summary: RunSummary = { kind: runbook.kind, opened: [], resolved: [], ongoing: [] };
  const seen = new Set<string>();
  for (const s of signals) {
    if (seen.has(s.fingerprint)) continue;
    seen.add(s.fingerprint);
    const existing = open.find((i) => i.fingerprint === s.fingerprint);
    if (existing) summary.ongoing.push(existing.id);
    else summary.opened.push(await handleSignal(ctx, runbook, s));
  }
  for (const inc of open) {
    if (seen.has(inc.fingerprint)) continue;
    await resolveIncident(ctx, runbook, inc);
    summary.resolved.push(inc.id);
  }
  return summary;
}

/**
 * A drill: the runbook against a synthetic signal, recorded like a real incident but marked as
 * a drill, and resolved at the end (drill remediation is a dry run).
 */
export async function runDrill(ctx: RunbookContext, runbook: Runbook, params: Record<string, unknown>): Promise<string> {
  const signal = await runbook.synthetic(ctx, params);
  const id = await handleSignal(ctx, runbook, signal);
  const row = await ctx.env.DB.prepare("SELECT * FROM incidents WHERE id = ?").bind(id).first<IncidentRow>();
  await resolveIncident(ctx, runbook, row!);
  return id;
}
