/**
 * @module
 * NPS rounds in D1: open a round (recording how many keys were eligible, for the response rate),
 * record one response per key per round, compute a round's results with the trend, and open an
 * investigation for each drop of 10 points or more (once per round and scope).
 */
import { audit } from "../../config/store";
import type { Env } from "../../env";
import { DRILL_TEAM } from "../../routing/drills";
import { npsDrops, roundResults, SURVEY_AREAS, type Eligible, type RoundPoint, type SurveyAnswer } from "./math";
import { configDb } from "../../config/control-db";

export interface SurveyRow {
  id: string;
  created_at: string;
  title: string;
  trigger: string;
  closes_at: string;
  eligible: string;
}

const ROUND_DAYS = 30;

/** Quarter label of a time, e.g. "2026-Q2". */
export function quarterOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

/**
 * @example await openRound(env, { trigger: "cron", now: Date.now() })
 */
export async function openRound(env: Env, opts: { trigger: string; now: number; title?: string; closesInDays?: number }): Promise<SurveyRow> {
  const nowIso = new Date(opts.now).toISOString();
  const keys = await configDb(env).prepare(
    "SELECT team, COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?) AND team != ? GROUP BY team",
  ).bind(nowIso, DRILL_TEAM).all<{ team: string; n: number }>();
  const eligible: Eligible = { total: keys.results.reduce((a, r) => a + r.n, 0), teams: Object.fromEntries(keys.results.map((r) => [r.team, r.n])) };
  const row: SurveyRow = {
    id: `svy_${crypto.randomUUID()}`, created_at: nowIso, title: opts.title ?? `Developer survey ${quarterOf(opts.now)}`, trigger: opts.trigger,
    closes_at: new Date(opts.now + (opts.closesInDays ?? ROUND_DAYS) * 86_400_000).toISOString(), eligible: JSON.stringify(eligible),
  };
  await env.DB.prepare("INSERT INTO surveys (id, created_at, title, trigger, closes_at, eligible) VALUES (?, ?, ?, ?, ?, ?)")
    .bind(row.id, row.created_at, row.title, row.trigger, row.closes_at, row.eligible).run();
  await audit(env, { actor: opts.trigger, action: "survey.open", resource: `surveys/${row.id}`, detail: { eligible: eligible.total } });
  return row;
}

export function surveyView(r: SurveyRow, now = Date.now()) {
  return { id: r.id, title: r.title, trigger: r.trigger, created_at: r.created_at, closes_at: r.closes_at, open: Date.parse(r.closes_at) > now, areas: SURVEY_AREAS, eligible_keys: (JSON.parse(r.eligible) as Eligible).total, feedback_url: "/v1/feedback" };
}

async function answers(env: Env, surveyId: string): Promise<SurveyAnswer[]> {
  const r = await env.DB.prepare("SELECT team, would_recommend, scores FROM survey_responses WHERE survey_id = ?").bind(surveyId).all<{ team: string; would_recommend: number; scores: string }>();
  return r.results.map((x) => ({ team: x.team, would_recommend: x.would_recommend, scores: JSON.parse(x.scores) as SurveyAnswer["scores"] }));
}

async function point(env: Env, s: SurveyRow): Promise<RoundPoint> {
  const r = roundResults(await answers(env, s.id), JSON.parse(s.eligible) as Eligible);
  return { survey_id: s.id, created_at: s.created_at, overall: r.overall.nps, areas: Object.fromEntries(SURVEY_AREAS.map((a) => [a, r.areas[a].nps])) };
}

/** Results of one round with the trend up to it; opens investigations for 10-point drops. */
export async function surveyResults(env: Env, survey: SurveyRow) {
  const results = roundResults(await answers(env, survey.id), JSON.parse(survey.eligible) as Eligible);
  const rounds = await env.DB.prepare("SELECT * FROM surveys WHERE created_at <= ? ORDER BY created_at").bind(survey.created_at).all<SurveyRow>();
  const trend: RoundPoint[] = [];
  for (const s of rounds.results) trend.push(await point(env, s));
  const current = trend.at(-1)!;
  // The previous round that had answers: an empty round says nothing about a trend.
  const previous = trend.slice(0, -1).reverse().find((p) => p.overall !== null);
  const drops = previous ? npsDrops(previous, current) : [];
  for (const d of drops) {
    const exists = await env.DB.prepare("SELECT 1 AS x FROM nps_investigations WHERE survey_id = ? AND scope = ?").bind(survey.id, d.scope).first();
    if (exists) continue;
    const id = `npsinv_${crypto.randomUUID()}`;
    await env.DB.prepare("INSERT INTO nps_investigations (id, survey_id, previous_survey_id, scope, drop_points, opened_at) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(id, survey.id, previous!.survey_id, d.scope, Math.round(d.drop_points), new Date().toISOString()).run();
    await audit(env, { actor: "system:nps", action: "nps.investigation.open", resource: `nps-investigations/${id}`, detail: d });
  }
  const investigations = await env.DB.prepare("SELECT * FROM nps_investigations WHERE survey_id = ? ORDER BY opened_at").bind(survey.id).all();
  return { survey: surveyView(survey), ...results, trend, drops, investigations: investigations.results };
}
