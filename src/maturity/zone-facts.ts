/**
 * @module
 * The zone half of the maturity facts: what one edge's own D1 (and its Delegation objects) hold —
 * reports, audits, guardrail tuning, forecasts, NPS, incidents, agent calls, deviation alerts.
 * It is plain, serialisable data so every region can answer it over the admin fan-out
 * (GET /admin/v1/maturity/zone-facts) and the answers can be merged with {@link mergeZoneFacts}.
 *
 * Every list item may carry the `region` whose store holds it (set when merged from a fan-out),
 * so evidence links can say `?region=eu`; a single-region deployment leaves it unset.
 */
import type { Env } from "../env";
import type { RegionPart } from "../admin/region-merge";
import { batchNamed, zoneQueries, type Row } from "./queries";

/** Where a zone record lives; absent when facts come from this edge alone. */
export interface Zoned {
  region?: string;
}

export interface ZoneFacts {
  reports: Array<Zoned & { id: string; kind: string; period: string; trigger: string; status: string; createdAt: string }>;
  restrictedAudits: Array<Zoned & { id: string; ts: string; ok: boolean }>;
  guardrails: Array<Zoned & { id: string; status: string; guardrail: string; createdAt: string; decidedAt: string | null; decidedBy: string | null; impactMeasured: boolean; impactDueAt: string | null }>;
  forecastAccuracy: Array<Zoned & { month: string; scope: string; subject: string; error: number }>;
  surveys: Array<Zoned & { id: string; createdAt: string; responses: number }>;
  npsInvestigations: Array<Zoned & { id: string; openedAt: string; closedAt: string | null }>;
  incidents: Array<Zoned & { id: string; kind: string; drill: boolean; status: string; detectedAt: string; automatedSteps: number }>;
  /** Multi-agent traces whose delegation record this edge's Delegation object confirms. */
  delegationTraces: Array<Zoned & { trace: string; chainLength: number; ts: string }>;
  /** agent → its first recorded tool call in this zone. */
  firstCalls: Record<string, string>;
  deviations: Array<Zoned & { id: string; ts: string; agent: string | null; acknowledged: boolean }>;
  incidentCount: number;
}

const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number => Number(v ?? 0);

/**
 * The candidate traces (a tool call made through a chain of two or more agents) whose delegation
 * record also exists in this edge's Delegation object, so /admin/v1/delegations/{trace} shows the
 * chain end to end. Newest five only.
 */
async function endToEndTraces(env: Env, candidates: Row[]): Promise<ZoneFacts["delegationTraces"]> {
  const out: ZoneFacts["delegationTraces"] = [];
  for (const r of candidates.slice(0, 5)) {
    const trace = str(r.trace);
    const events = await env.DELEGATION.get(env.DELEGATION.idFromName(`trace:${trace}`)).events();
    if (events.some((e) => e.chain.length >= 2)) out.push({ trace, chainLength: num(r.len), ts: str(r.ts) });
  }
  return out;
}

/**
 * This edge's zone facts, from one batch on its own D1.
 * @example const zone = await gatherZoneFacts(env);
 */
export async function gatherZoneFacts(env: Env): Promise<ZoneFacts> {
  const z = await batchNamed(env.DB, zoneQueries());
  return {
    reports: z.reports.map((r) => ({ id: str(r.id), kind: str(r.kind), period: str(r.period), trigger: str(r.trigger), status: str(r.status), createdAt: str(r.created_at) })),
    restrictedAudits: z.restrictedAudits.map((r) => ({ id: str(r.id), ts: str(r.ts), ok: !!num(r.ok) })),
    guardrails: z.guardrails.map((r) => ({
      id: str(r.id), status: str(r.status), guardrail: str(r.guardrail), createdAt: str(r.created_at), decidedAt: strOrNull(r.decided_at),
      decidedBy: strOrNull(r.decided_by), impactMeasured: !!num(r.measured), impactDueAt: strOrNull(r.impact_due_at),
    })),
    forecastAccuracy: z.forecastAccuracy.map((r) => ({ month: str(r.month), scope: str(r.scope), subject: str(r.subject), error: num(r.error) })),
    surveys: z.surveys.map((r) => ({ id: str(r.id), createdAt: str(r.created_at), responses: num(r.responses) })),
    npsInvestigations: z.npsInvestigations.map((r) => ({ id: str(r.id), openedAt: str(r.opened_at), closedAt: strOrNull(r.closed_at) })),
    incidents: z.incidents.map((r) => ({ id: str(r.id), kind: str(r.kind), drill: !!num(r.drill), status: str(r.status), detectedAt: str(r.detected_at), automatedSteps: num(r.automated) })),
    delegationTraces: await endToEndTraces(env, z.delegationTraces),
    firstCalls: Object.fromEntries(z.firstCalls.map((r) => [str(r.agent), str(r.first)])),
    deviations: z.deviations.map((r) => ({ id: str(r.id), ts: str(r.ts), agent: strOrNull(r.agent), acknowledged: !!(r.acknowledged_at || r.resolved_at) })),
    incidentCount: num(z.incidentCount[0]?.n),
  };
}

export const EMPTY_ZONE_FACTS: ZoneFacts = {
  reports: [], restrictedAudits: [], guardrails: [], forecastAccuracy: [], surveys: [], npsInvestigations: [],
  incidents: [], delegationTraces: [], firstCalls: {}, deviations: [], incidentCount: 0,
};

const byId = (r: { id: string }): string => r.id;

function concatDedupe<T extends Zoned>(a: readonly T[], b: readonly T[], key: (r: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const r of [...a, ...b]) {
    // Ids are per store: the same id in two zones is two records (compliance reports are named by period).
    const k = `${r.region ?? ""}|${key(r)}`;
    if (!seen.has(k)) (seen.add(k), out.push(r));
  }
  return out;
}

/**
 * Two zones' facts as one: counts add, lists concatenate (a record seen twice from the same
 * region counts once), an agent's first call is the earlier of the two.
 * @example mergeZoneFacts(us, eu).incidentCount === us.incidentCount + eu.incidentCount
 */
export function mergeZoneFacts(a: ZoneFacts, b: ZoneFacts): ZoneFacts {
  const firstCalls: Record<string, string> = { ...a.firstCalls };
  for (const [agent, first] of Object.entries(b.firstCalls)) if (!firstCalls[agent] || first < firstCalls[agent]) firstCalls[agent] = first;
  return {
    reports: concatDedupe(a.reports, b.reports, byId),
    restrictedAudits: concatDedupe(a.restrictedAudits, b.restrictedAudits, byId),
    guardrails: concatDedupe(a.guardrails, b.guardrails, byId),
    forecastAccuracy: concatDedupe(a.forecastAccuracy, b.forecastAccuracy, (r) => `${r.month}|${r.scope}|${r.subject}`),
    surveys: concatDedupe(a.surveys, b.surveys, byId),
    npsInvestigations: concatDedupe(a.npsInvestigations, b.npsInvestigations, byId),
    incidents: concatDedupe(a.incidents, b.incidents, byId),
    delegationTraces: concatDedupe(a.delegationTraces, b.delegationTraces, (r) => r.trace),
    firstCalls,
    deviations: concatDedupe(a.deviations, b.deviations, byId),
    incidentCount: a.incidentCount + b.incidentCount,
  };
}

/** One region's answer, every record flagged with that region; anything unusable counts as empty. */
export function zoneFactsOf(part: RegionPart): ZoneFacts {
  const body = (part.body ?? {}) as Partial<ZoneFacts>;
  const flag = <T>(list: T[] | undefined): Array<T & Zoned> => (Array.isArray(list) ? list.map((r) => ({ ...r, region: part.region })) : []);
  return {
    reports: flag(body.reports), restrictedAudits: flag(body.restrictedAudits), guardrails: flag(body.guardrails),
    forecastAccuracy: flag(body.forecastAccuracy), surveys: flag(body.surveys), npsInvestigations: flag(body.npsInvestigations),
    incidents: flag(body.incidents), delegationTraces: flag(body.delegationTraces), deviations: flag(body.deviations),
    firstCalls: body.firstCalls && typeof body.firstCalls === "object" ? body.firstCalls : {},
    incidentCount: Number(body.incidentCount ?? 0) || 0,
  };
}

/**
 * The fan-out merge of GET /maturity/zone-facts: every region's facts, flagged and merged.
 * @example mergeZoneFactsParts([{ region: "eu", body: euFacts }]).incidents[0].region === "eu"
 */
export function mergeZoneFactsParts(parts: readonly RegionPart[]): ZoneFacts {
  return parts.map(zoneFactsOf).reduce(mergeZoneFacts, EMPTY_ZONE_FACTS);
}
