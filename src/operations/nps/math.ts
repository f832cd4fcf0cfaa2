/**
 * @module
 * Developer NPS as pure functions: NPS = % promoters (9–10) − % detractors (0–6), overall, per
 * survey area and per team; response rate against the keys eligible when the round opened; the
 * trend across rounds and the drops (10 points or more) that must be investigated.
 */

export const SURVEY_AREAS = ["onboarding", "key_issuance", "documentation", "reliability", "dashboard", "support"] as const;
export type SurveyArea = (typeof SURVEY_AREAS)[number];

export interface NpsFigure {
  /** −100…100, rounded to one decimal; null without answers. */
  nps: number | null;
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
}

/**
 * @example npsOf([10, 9, 8, 3]).nps === 25
 */
export function npsOf(scores: readonly number[]): NpsFigure {
  const promoters = scores.filter((s) => s >= 9).length;
  const detractors = scores.filter((s) => s <= 6).length;
  const n = scores.length;
  return {
    nps: n === 0 ? null : Math.round(((promoters - detractors) * 1000) / n) / 10,
    responses: n, promoters, passives: n - promoters - detractors, detractors,
  };
}

export interface SurveyAnswer {
  team: string;
  would_recommend: number;
  scores: Partial<Record<SurveyArea, number>>;
}

export interface Eligible {
  total: number;
  teams: Record<string, number>;
}

export interface RoundResults {
  overall: NpsFigure;
  areas: Record<SurveyArea, NpsFigure>;
  teams: Record<string, NpsFigure & { response_rate: number | null }>;
  response_rate: number | null;
}

const rate = (n: number, of: number | undefined) => (of ? Math.round((n * 1000) / of) / 1000 : null);

/**
 * @example roundResults([{ team: "a", would_recommend: 10, scores: { onboarding: 3 } }], { total: 4, teams: { a: 2 } }).response_rate === 0.25
 */
export function roundResults(answers: readonly SurveyAnswer[], eligible: Eligible): RoundResults {
  const areas = Object.fromEntries(
    SURVEY_AREAS.map((a) => [a, npsOf(answers.map((x) => x.scores[a]).filter((v): v is number => typeof v === "number"))]),
  ) as Record<SurveyArea, NpsFigure>;
  const byTeam = new Map<string, number[]>();
  for (const a of answers) byTeam.set(a.team, [...(byTeam.get(a.team) ?? []), a.would_recommend]);
  const teams = Object.fromEntries([...byTeam].sort(([a], [b]) => a.localeCompare(b)).map(([t, s]) => [t, { ...npsOf(s), response_rate: rate(s.length, eligible.teams[t]) }]));
  return { overall: npsOf(answers.map((a) => a.would_recommend)), areas, teams, response_rate: rate(answers.length, eligible.total) };
}

export interface RoundPoint {
  survey_id: string;
  created_at: string;
  overall: number | null;
  areas: Partial<Record<SurveyArea, number | null>>;
}

export interface Drop {
  scope: "overall" | SurveyArea;
  from: number;
  to: number;
  drop_points: number;
}

/** Drops of `threshold` points or more from the previous round (overall and per area). */
export function npsDrops(previous: RoundPoint, current: RoundPoint, threshold = 10): Drop[] {
  const out: Drop[] = [];
  const check = (scope: Drop["scope"], from: number | null | undefined, to: number | null | undefined) => {
    if (from == null || to == null) return;
    const drop = Math.round((from - to) * 10) / 10;
    if (drop >= threshold) out.push({ scope, from, to, drop_points: drop });
  };
  check("overall", previous.overall, current.overall);
  for (const a of SURVEY_AREAS) check(a, previous.areas[a], current.areas[a]);
  return out;
}
