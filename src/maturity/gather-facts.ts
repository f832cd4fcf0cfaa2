/**
 * @module
 * Gathers {@link MaturityFacts} from the tables the other capabilities already keep: one batch on
 * the control-plane D1 (configuration, governance, workloads, agents, audit log, this module's
 * own records) and the zone facts (./zone-facts.ts: reports, audits, forecasts, incidents, NPS,
 * agent calls, alerts) of every region. Nothing is stored as an answer: every verdict is
 * recomputed from these rows.
 *
 * In a multi-region deployment the zone facts are read from every edge over the admin fan-out
 * (GET /admin/v1/maturity/zone-facts, src/admin/zone-read.ts) with the caller's own token, so
 * each region checks the caller's role; the quarterly cron has no caller and asks as the system
 * (a signed forward with no Authorization, accepted by that route only). The control half is global.
 */
import { configDb } from "../config/control-db";
import type { Env } from "../env";
import type { AgentPut } from "../agents/schemas";
import { verifyChain } from "../governance/chain";
import { checkArtifacts, checkResult } from "../governance/check";
import { listVersions, liveContext, liveVersion } from "../governance/store";
import type { MaturityFacts, WorkloadFact } from "./facts";
import { regionHref } from "./types";
import { readAllZones } from "../admin/zone-read";
import { batchNamed, controlQueries, type Row } from "./queries";
import { gatherZoneFacts, mergeZoneFactsParts, type ZoneFacts } from "./zone-facts";

const DAY = 86_400_000;
const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number => Number(v ?? 0);
const json = <T>(v: unknown, fallback: T): T => {
  try {
    return v === null || v === undefined ? fallback : (JSON.parse(String(v)) as T);
  } catch {
    return fallback;
  }
};

/** The strongest weight of a score rule, so "score" rules can differ in what they optimise. */
function dominantSignal(weights: Record<string, number> | undefined): string | undefined {
  const entries = Object.entries(weights ?? {}).filter(([, w]) => w > 0).sort((a, b) => b[1] - a[1]);
  if (!entries.length || (entries[1] && entries[1][1] === entries[0][1])) return entries.length ? "balanced" : undefined;
  return entries[0][0];
}

function workloadFacts(workloads: Row[], rules: Row[]): WorkloadFact[] {
  const rule = new Map(rules.map((r) => [`${str(r.scope)}:${str(r.subject)}`, r]));
  return workloads.map((w) => {
    const spec = json<{ input_categories?: string[]; sampling?: { rate?: number } }>(w.spec, {});
    const own = rule.get(`workload:${str(w.id)}`);
    const team = rule.get(`team:${str(w.team)}`);
    const ownSpec = own ? json<{ strategy?: string; weights?: Record<string, number> }>(own.spec, {}) : undefined;
    const teamSpec = team ? json<{ strategy?: string; weights?: Record<string, number> }>(team.spec, {}) : undefined;
    // The workload rule's strategy wins; the team's applies when the workload sets none.
    const [source, spec2, row] = ownSpec?.strategy ? (["workload", ownSpec, own] as const) : teamSpec?.strategy ? (["team", teamSpec, team] as const) : [undefined, undefined, undefined];
    return {
      id: str(w.id), team: str(w.team), lifecycle: str(w.lifecycle),
      inputCategories: spec.input_categories?.length ?? 0, samplingRate: spec.sampling?.rate ?? 0,
      ...(source && spec2?.strategy ? { routing: { strategy: spec2.strategy, dominantSignal: dominantSignal(spec2.weights), scope: source, version: num(row!.version) } } : {}),
    };
  });
}

async function governanceFacts(env: Env, now: number): Promise<MaturityFacts["governance"]> {
  const [versions, live] = await Promise.all([listVersions(env), liveVersion(env)]);
  const broken = await verifyChain(versions as Parameters<typeof verifyChain>[0]);
  let consistency: MaturityFacts["governance"]["consistency"] = { ran: false, errors: 0, warnings: 0, version: null };
  if (live) {
    const r = checkResult(checkArtifacts(live.artifacts, await liveContext(env, new Date(now).toISOString().slice(0, 10))));
    consistency = { ran: true, errors: r.errors.length, warnings: r.warnings.length, version: live.version };
  }
  const map = live?.artifacts.regulatory_map;
  const { proposals, reviews } = await batchNamed(configDb(env), {
    proposals: [`SELECT id, status, source, created_at, evidence IS NOT NULL AS has_evidence,
        length(trim(coalesce(rationale, ''))) > 0 AS has_rationale, impact IS NOT NULL AS measured
      FROM governance_proposals ORDER BY created_at DESC LIMIT 500`],
    reviews: ["SELECT id, quarter, status, opened_at, closed_at FROM governance_reviews ORDER BY opened_at DESC LIMIT 20"],
  });
  return {
    proposals: proposals.map((p) => ({ id: str(p.id), status: str(p.status), source: str(p.source), createdAt: str(p.created_at), hasEvidence: !!num(p.has_evidence), hasRationale: !!num(p.has_rationale), impactMeasured: !!num(p.measured) })),
    versions: versions.map((v) => ({ version: v.version, appliedAt: v.applied_at })),
    chainBrokenAt: broken?.version ?? null,
    consistency,
    regulatoryMap: map ? { regulations: map.regulations.length, clauses: map.regulations.reduce((n, r) => n + r.clauses.length, 0), reviewed: map.reviewed ?? null } : null,
    reviews: reviews.map((r) => ({ id: str(r.id), quarter: str(r.quarter), status: str(r.status), openedAt: str(r.opened_at), closedAt: strOrNull(r.closed_at) })),
  };
}

/** The internal admin read of one edge's zone facts (src/maturity/routes.ts). */
export const ZONE_FACTS_PATH = "/admin/v1/maturity/zone-facts";

/** Who asks: an admin caller (their Authorization and the origin they called) or, with null, the system. */
export interface FactsCaller {
  authorization: string | null;
  origin?: string;
}

/**
 * Reads every fact the criteria need, as of `now`, with the zone facts of every region.
 * @example const facts = await gatherFacts(env, Date.now(), { authorization: request.headers.get("authorization") });
 */
export async function gatherFacts(env: Env, now: number, caller: FactsCaller = { authorization: null }): Promise<MaturityFacts> {
  const since = (days: number) => new Date(now - days * DAY).toISOString();
  const governance = await governanceFacts(env, now);
  const c = await batchNamed(configDb(env), controlQueries(since));
  const { body: z, regions: zones } = await readAllZones<ZoneFacts>(env, {
    path: ZONE_FACTS_PATH, authorization: caller.authorization, origin: caller.origin, merge: mergeZoneFactsParts, local: () => gatherZoneFacts(env),
  });
  const firstCall = new Map(Object.entries(z.firstCalls));
  const baselines = new Set(c.baselines.map((r) => str(r.agent)));
  const accepted = c.baselineAccepts.map((r) => ({ agent: str(r.resource).split("/")[1] ?? "", ts: str(r.ts) }));
  const guardrails = z.guardrails;
  const edges = [env.REGION ?? "us", ...Object.keys(json<Record<string, string>>(env.REGION_EDGES, {}))];
  const k = c.knowledge[0] ?? {};
  return {
    now,
    region: env.REGION ?? "us",
    zones,
    governance,
    reports: z.reports,
    routing: { workloads: workloadFacts(c.workloads, c.rules) },
    drills: c.drills.map((r) => ({ id: str(r.id), ts: str(r.ts), verdict: str(r.verdict), trigger: str(r.trigger) })),
    regions: {
      teamZones: Object.fromEntries(c.teamZones.map((r) => [str(r.zone), num(r.n)])),
      providerRegions: Object.fromEntries(c.providerRegions.map((r) => [str(r.region), num(r.n)])),
      edges: [...new Set(edges)],
    },
    restrictedAudits: z.restrictedAudits,
    guardrailRecommendations: guardrails.map(({ decidedBy: _by, ...r }) => r),
    forecastAccuracy: [...z.forecastAccuracy].sort((a, b) => a.month.localeCompare(b.month)),
    surveys: z.surveys,
    npsInvestigations: z.npsInvestigations,
    incidents: z.incidents,
    datasets: c.datasets.map((r) => ({ workload: str(r.workload), version: num(r.version), suite: str(r.suite), examples: num(r.examples), coverage: num(r.coverage), createdAt: str(r.created_at) })),
    evalRuns: c.evalRuns.map((r) => ({ id: str(r.id), workload: str(r.workload), suite: str(r.suite), trigger: str(r.trigger), createdAt: str(r.created_at) })),
    samplesByWorkload: Object.fromEntries(c.samples.map((r) => [str(r.workload), { count: num(r.n), latest: str(r.latest) }])),
    evalRecommendations: c.evalRecommendations.map((r) => ({ id: str(r.id), decision: str(r.decision), status: str(r.status), workload: str(r.workload), createdAt: str(r.created_at) })),
    transitions: c.transitions.map((r) => ({ id: str(r.id), workload: str(r.workload), from: str(r.from_state), to: str(r.to_state), status: str(r.status), approvedBy: strOrNull(r.approved_by), decidedAt: strOrNull(r.decided_at) })),
    agents: c.agents.map((r) => {
      const spec = json<Partial<AgentPut>>(r.spec, {});
      const grants = spec.grants ?? [];
      return {
        id: str(r.id), team: str(r.team), grants: grants.length,
        parameterGrants: grants.filter((g) => !!g.when).length,
        unconditionalWildcards: grants.filter((g) => g.tool === "*" && !g.when).length,
        hasKey: str(r.jkt).length > 0, a2aCallable: !!spec.a2a_url,
        firstCallAt: firstCall.get(str(r.id)) ?? null, hasBaseline: baselines.has(str(r.id)),
      };
    }),
    discoveries: c.discoveries.map((r) => ({ id: str(r.id), status: str(r.status), firstSeen: str(r.first_seen), resolvedAt: strOrNull(r.resolved_at) })),
    lastDiscoveryRunAt: strOrNull(c.lastDiscoveryRun[0]?.ts),
    delegationTraces: z.delegationTraces,
    accessReviews: c.accessReviews.map((r) => ({ id: str(r.id), period: str(r.period), status: str(r.status), closedAt: strOrNull(r.closed_at), decided: num(r.decided), items: num(r.items) })),
    // A deviation is investigated once acknowledged or resolved, or once the new behaviour was accepted.
    baselineDeviations: z.deviations.map(({ acknowledged, ...r }) => ({
      ...r, investigated: acknowledged || accepted.some((a) => a.agent === r.agent && a.ts >= r.ts),
    })),
    maturity: {
      snapshots: c.snapshots.map((r) => ({ id: str(r.id), takenAt: str(r.taken_at), percent: num(r.percent) })),
      investigations: c.investigations.map((r) => ({ id: str(r.id), openedAt: str(r.opened_at), status: str(r.status) })),
      reviews: c.reviews.map((r) => ({ id: str(r.id), year: num(r.year), generatedAt: str(r.generated_at), items: num(r.items), done: num(r.done), lastDoneAt: strOrNull(r.last_done) })),
    },
    feedback: {
      waiting: [
        ...guardrails.filter((r) => r.status === "open").map((r) => ({ kind: "guardrail recommendation", id: r.id, createdAt: r.createdAt, href: regionHref("/admin/v1/guardrails/recommendations", r.region) })),
        ...c.evalRecommendations.filter((r) => r.status === "open" && (r.decision === "promote" || r.decision === "flag")).map((r) => ({ kind: "model-upgrade recommendation", id: str(r.id), createdAt: str(r.created_at), href: "/admin/v1/evals/recommendations" })),
        ...governance.proposals.filter((p) => p.status === "open" && p.source === "evidence-job").map((p) => ({ kind: "governance evidence proposal", id: p.id, createdAt: p.createdAt, href: `/admin/v1/governance/proposals/${p.id}` })),
        ...c.openRecommendations.map((r) => ({ kind: "maturity recommendation", id: str(r.id), createdAt: str(r.created_at), href: "/admin/v1/maturity/recommendations" })),
      ],
      // Auto-applied tuning (decided by the system) is not a human review.
      decided: num(c.decisions[0]?.n) + guardrails.filter((r) => r.status !== "open" && r.decidedBy && !/^(system|cron):/.test(r.decidedBy)).length,
      automatedAudited: num(c.automatedAudited[0]?.n),
    },
    knowledge: { incidents: z.incidentCount, evaluations: num(k.evaluations), governance: num(k.governance), lessons: num(k.lessons), npsLessons: num(k.nps_lessons) },
  };
}
