/**
 * @module
 * The weekly guardrail tuning job: gathers 30 days of statistics per guardrail (usage events and
 * alerts in D1), turns findings into recommendations (one open recommendation per subject and
 * finding), auto-applies the non-security ones for teams that opted in when the proposal is
 * within the bounds their admin set, and measures the impact of changes applied 14+ days ago.
 */
import type { PolicyBundle } from "../../config/bundle";
import { audit } from "../../config/store";
import { DEFAULT_DLP_ACTIONS } from "../../dlp/policy";
import type { Env } from "../../env";
import { DRILL_TEAM } from "../../routing/drills";
import { opsPolicy } from "../policy";
import { freshBundle } from "../runbooks/bundle";
import { budgetAlertFinding, dlpFinding, limitFinding, percentile, retriesWithoutValue, type Recommendation } from "./analyse";
import { applyRecommendation, type RecommendationRow } from "./apply";

const WINDOW_MS = 30 * 86_400_000;
/** Rows read per query; a 30-day window larger than this is analysed on its newest rows. */
const MAX_ROWS = 50_000;

interface MinuteRow { team: string; n: number; tokens: number; rr: number; tr: number }

async function limitRecommendations(env: Env, bundle: PolicyBundle, since: string, until: string): Promise<Recommendation[]> {
  const rows = await env.DB.prepare(
    `SELECT team, substr(ts, 1, 16) AS minute, COUNT(*) AS n, SUM(tokens_in + tokens_out) AS tokens,
       SUM(status = 429 AND error_code = 'rate_limit_exceeded') AS rr, SUM(status = 429 AND error_code = 'tokens_rate_limit_exceeded') AS tr
     FROM usage_events WHERE ts >= ? AND ts < ? AND team IS NOT NULL GROUP BY team, minute LIMIT ?`,
  ).bind(since, until, MAX_ROWS).all<MinuteRow>();
  const byTeam = new Map<string, MinuteRow[]>();
  for (const r of rows.results) byTeam.set(r.team, [...(byTeam.get(r.team) ?? []), r]);
  const out: Recommendation[] = [];
  for (const [teamId, minutes] of byTeam) {
    const team = bundle.teams.get(teamId);
    if (!team || teamId === DRILL_TEAM) continue;
    const policy = await opsPolicy(env, teamId);
    const requests = minutes.reduce((a, m) => a + m.n, 0);
    for (const kind of ["rpm", "tpm"] as const) {
      const f = limitFinding({
        team: teamId, kind, limit: team[kind], requests,
        refused: minutes.reduce((a, m) => a + (kind === "rpm" ? m.rr : m.tr), 0),
        perMinute: minutes.map((m) => (kind === "rpm" ? m.n : m.tokens)),
        bounds: kind === "rpm" ? policy.rpm_bounds : policy.tpm_bounds,
      });
      if (f) out.push(f);
    }
  }
  return out;
}

interface DlpRow { workload: string; team: string | null; key_id: string | null; ts: string; status: number; types: string | null; blocked: string | null }

async function dlpRecommendations(env: Env, bundle: PolicyBundle, since: string, until: string): Promise<Recommendation[]> {
  const totals = await env.DB.prepare("SELECT workload, COUNT(*) AS n FROM usage_events WHERE ts >= ? AND ts < ? AND workload IS NOT NULL GROUP BY workload")
    .bind(since, until).all<{ workload: string; n: number }>();
  const rows = await env.DB.prepare(
    `SELECT workload, team, key_id, ts, status, json_extract(detail, '$.dlp_request.types') AS types, json_extract(detail, '$.dlp_request.blocked') AS blocked
     FROM usage_events WHERE ts >= ? AND ts < ? AND workload IN (SELECT DISTINCT workload FROM usage_events WHERE ts >= ? AND ts < ? AND json_extract(detail, '$.dlp_request') IS NOT NULL)
     ORDER BY ts LIMIT ?`,
  ).bind(since, until, since, until, MAX_ROWS).all<DlpRow>();
  const byWorkload = new Map<string, DlpRow[]>();
  for (const r of rows.results) byWorkload.set(r.workload, [...(byWorkload.get(r.workload) ?? []), r]);
  const out: Recommendation[] = [];
  for (const { workload: id, n } of totals.results) {
    const w = bundle.workloads.get(id);
    if (!w || w.team === DRILL_TEAM) continue;
    const parsed = (byWorkload.get(id) ?? []).map((r) => ({
      key: r.key_id, at: Date.parse(r.ts), ok: r.status < 400,
      types: r.types ? (JSON.parse(r.types) as string[]) : [], blocked: r.blocked ? (JSON.parse(r.blocked) as string[]) : [],
    }));
    const retried = retriesWithoutValue(parsed);
    const configured = new Set([...Object.keys(w.dlp?.actions ?? {}), ...(w.dlp?.custom ?? []).map((c) => c.type)]);
    const types = new Set([...configured, ...parsed.flatMap((p) => p.types)]);
    for (const type of types) {
      const action = w.dlp?.actions?.[type] ?? (DEFAULT_DLP_ACTIONS as Record<string, unknown>)[type] ?? w.dlp?.default_action ?? "redact";
      const f = dlpFinding({
        team: w.team, workload: id, type, action: typeof action === "string" ? action : JSON.stringify(action), configured: configured.has(type), requests: n,
        fires: parsed.filter((p) => p.types.includes(type)).length, blocks: parsed.filter((p) => p.blocked.includes(type)).length,
        retriedWithoutValue: retried.get(type) ?? 0, exemptions: 0,
      });
      if (f) out.push(f);
    }
  }
  return out;
}

async function budgetAlertRecommendations(env: Env, since: string): Promise<Recommendation[]> {
  const rows = await env.DB.prepare(
    `SELECT team, SUM(json_extract(evidence, '$.percent') < 100) AS warnings, SUM(json_extract(evidence, '$.refused') = 1) AS refusals,
       COUNT(DISTINCT CASE WHEN json_extract(evidence, '$.percent') < 100 THEN json_extract(evidence, '$.period') END) AS periods
     FROM alerts WHERE kind = 'budget_threshold' AND ts >= ? AND team IS NOT NULL GROUP BY team`,
  ).bind(since).all<{ team: string; warnings: number; refusals: number; periods: number }>();
  return rows.results.flatMap((r) => budgetAlertFinding(r) ?? []);
}

async function insertRecommendation(env: Env, r: Recommendation): Promise<string | undefined> {
  const open = await env.DB.prepare("SELECT id FROM guardrail_recommendations WHERE subject = ? AND finding = ? AND status = 'open'").bind(r.subject, r.finding).first();
  if (open) return undefined;
  const id = `rec_${crypto.randomUUID()}`;
  await env.DB.prepare(
    `INSERT INTO guardrail_recommendations (id, created_at, guardrail, finding, team, workload, subject, security, current, proposed, evidence, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')`,
  ).bind(id, new Date().toISOString(), r.guardrail, r.finding, r.team, r.workload, r.subject, r.security ? 1 : 0, JSON.stringify(r.current), JSON.stringify(r.proposed), JSON.stringify(r.evidence)).run();
  return id;
}

/** Non-security limit changes, for a team that opted in, with the proposal inside its bounds. */
async function autoApplicable(env: Env, row: RecommendationRow): Promise<boolean> {
  if (row.security === 1 || !row.team || (row.guardrail !== "rpm_limit" && row.guardrail !== "tpm_limit")) return false;
  const policy = await opsPolicy(env, row.team);
  const bounds = row.guardrail === "rpm_limit" ? policy.rpm_bounds : policy.tpm_bounds;
  const proposed = JSON.parse(row.proposed ?? "null") as unknown;
  return policy.auto_tune && bounds !== undefined && typeof proposed === "number" && proposed >= bounds.min && proposed <= bounds.max;
}

/** Stats of one applied recommendation's subject over the 14 days after it was applied. */
async function measureImpact(env: Env, bundle: PolicyBundle, row: RecommendationRow, now: number): Promise<void> {
  const from = row.decided_at!;
  const to = new Date(Math.min(now, Date.parse(from) + 14 * 86_400_000)).toISOString();
  const after = row.guardrail === "dlp_rule"
    ? (await dlpRecommendations(env, bundle, from, to)).find((r) => r.subject === row.subject)?.evidence ?? { note: "no finding after the change" }
    : row.guardrail === "rpm_limit" || row.guardrail === "tpm_limit"
      ? await (async () => {
        const m = await env.DB.prepare(
          `SELECT COUNT(*) AS n, SUM(status = 429 AND error_code = ?) AS refused FROM usage_events WHERE team = ? AND ts >= ? AND ts < ?`,
        ).bind(row.guardrail === "rpm_limit" ? "rate_limit_exceeded" : "tokens_rate_limit_exceeded", row.team, from, to).first<{ n: number; refused: number | null }>();
        return { requests: m?.n ?? 0, refused: m?.refused ?? 0, refused_share: m?.n ? Math.round(((m.refused ?? 0) / m.n) * 10_000) / 10_000 : null };
      })()
      : {};
  const impact = { window: { from, to }, before: JSON.parse(row.before_metrics ?? "{}") as unknown, after };
  await env.DB.prepare("UPDATE guardrail_recommendations SET impact = ? WHERE id = ?").bind(JSON.stringify(impact), row.id).run();
  await audit(env, { actor: "system:tuning", action: "guardrail_recommendation.impact", resource: `guardrail-recommendations/${row.id}`, detail: impact });
}

export interface TuningSummary { created: string[]; auto_applied: string[]; impacts_measured: string[] }

/**
 * @example await runGuardrailTuning(env, Date.now())
 */
export async function runGuardrailTuning(env: Env, now: number): Promise<TuningSummary> {
  const bundle = await freshBundle(env);
  const since = new Date(now - WINDOW_MS).toISOString();
  const until = new Date(now + 1).toISOString();
  const findings = [
    ...(await limitRecommendations(env, bundle, since, until)),
    ...(await dlpRecommendations(env, bundle, since, until)),
    ...(await budgetAlertRecommendations(env, since)),
  ];
  const summary: TuningSummary = { created: [], auto_applied: [], impacts_measured: [] };
  for (const f of findings) {
    const id = await insertRecommendation(env, f);
    if (id) summary.created.push(id);
  }
  for (const id of summary.created) {
    const row = (await env.DB.prepare("SELECT * FROM guardrail_recommendations WHERE id = ?").bind(id).first<RecommendationRow>())!;
    if (!(await autoApplicable(env, row))) continue;
    await applyRecommendation(env, row, "system:tuning:auto");
    summary.auto_applied.push(id);
  }
  const due = await env.DB.prepare("SELECT * FROM guardrail_recommendations WHERE status = 'applied' AND impact IS NULL AND impact_due_at <= ?")
    .bind(new Date(now).toISOString()).all<RecommendationRow>();
  for (const row of due.results) {
    await measureImpact(env, bundle, row, now);
    summary.impacts_measured.push(row.id);
  }
  await audit(env, { actor: "system:tuning", action: "guardrail_tuning.run", resource: "guardrail-recommendations", detail: { created: summary.created.length, auto_applied: summary.auto_applied.length, impacts: summary.impacts_measured.length } });
  return summary;
}
