/**
 * @module
 * Gathers {@link MaturityFacts} from the tables the other capabilities already keep: one batch on
 * the control-plane D1 (configuration, governance, workloads, agents, audit log, this module's
 * own records) and one on the zone's D1 (reports, audits, forecasts, incidents, NPS, agent calls,
 * alerts). Nothing is stored as an answer: every verdict is recomputed from these rows.
 *
 * In a multi-region deployment the zone half is the answering edge's zone (as every zone-local
 * list in the admin API is); the control half is global.
 */
import { configDb } from "../config/control-db";
import type { Env } from "../env";
import type { AgentPut } from "../agents/schemas";
import { verifyChain } from "../governance/chain";
import { checkArtifacts, checkResult } from "../governance/check";
import { listVersions, liveContext, liveVersion } from "../governance/store";
import { DRILL_TEAM, DRILL_WORKLOAD } from "../routing/drills";
import type { MaturityFacts, WorkloadFact } from "./facts";

const DAY = 86_400_000;
type Row = Record<string, unknown>;
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
  const control = configDb(env);
  const [proposals, reviews] = await control.batch<Row>([
    control.prepare("SELECT id, status, source, created_at, evidence IS NOT NULL AS has_evidence, length(trim(coalesce(rationale, ''))) > 0 AS has_rationale, impact IS NOT NULL AS measured FROM governance_proposals ORDER BY created_at DESC LIMIT 500"),
    control.prepare("SELECT id, quarter, status, opened_at, closed_at FROM governance_reviews ORDER BY opened_at DESC LIMIT 20"),
  ]);
  return {
    proposals: proposals.results.map((p) => ({ id: str(p.id), status: str(p.status), source: str(p.source), createdAt: str(p.created_at), hasEvidence: !!num(p.has_evidence), hasRationale: !!num(p.has_rationale), impactMeasured: !!num(p.measured) })),
    versions: versions.map((v) => ({ version: v.version, appliedAt: v.applied_at })),
    chainBrokenAt: broken?.version ?? null,
    consistency,
    regulatoryMap: map ? { regulations: map.regulations.length, clauses: map.regulations.reduce((n, r) => n + r.clauses.length, 0), reviewed: map.reviewed ?? null } : null,
    reviews: reviews.results.map((r) => ({ id: str(r.id), quarter: str(r.quarter), status: str(r.status), openedAt: str(r.opened_at), closedAt: strOrNull(r.closed_at) })),
  };
}

/**
 * Reads every fact the criteria need, as of `now`.
 * @example const facts = await gatherFacts(env, Date.now());
 */
export async function gatherFacts(env: Env, now: number): Promise<MaturityFacts> {
  const since = (days: number) => new Date(now - days * DAY).toISOString();
  const control = configDb(env);
  const zone = env.DB;
  const governance = await governanceFacts(env, now);
  const c = await control.batch<Row>([
    // The failover drills' own synthetic tenant is not one of the organisation's workloads or teams.
    /* 0 */ control.prepare("SELECT id, team, lifecycle, spec FROM workloads WHERE id != ?").bind(DRILL_WORKLOAD),
    /* 1 */ control.prepare("SELECT r.scope, r.subject, r.version, r.spec FROM routing_rules r JOIN (SELECT scope, subject, max(version) AS v FROM routing_rules GROUP BY scope, subject) m ON m.scope = r.scope AND m.subject = r.subject AND m.v = r.version WHERE r.spec IS NOT NULL"),
    /* 2 */ control.prepare("SELECT id, ts, verdict, trigger FROM failover_drills WHERE ts >= ? ORDER BY ts DESC LIMIT 2000").bind(since(400)),
    /* 3 */ control.prepare("SELECT residency AS zone, count(*) AS n FROM teams WHERE id != ? GROUP BY residency").bind(DRILL_TEAM),
    /* 4 */ control.prepare("SELECT region, count(*) AS n FROM providers GROUP BY region"),
    /* 5 */ control.prepare("SELECT workload, version, suite, examples, coverage, created_at FROM datasets WHERE archived_at IS NULL"),
    /* 6 */ control.prepare("SELECT id, workload, suite, trigger, created_at FROM eval_runs WHERE created_at >= ? ORDER BY created_at DESC LIMIT 5000").bind(since(90)),
    /* 7 */ control.prepare("SELECT workload, count(*) AS n, max(ts) AS latest FROM eval_samples WHERE ts >= ? GROUP BY workload").bind(since(30)),
    /* 8 */ control.prepare("SELECT id, decision, status, workload, created_at FROM eval_recommendations ORDER BY created_at DESC LIMIT 500"),
    /* 9 */ control.prepare("SELECT id, workload, from_state, to_state, status, approved_by, decided_at FROM workload_transitions ORDER BY created_at DESC LIMIT 500"),
    /* 10 */ control.prepare("SELECT id, team, spec, jkt FROM agents"),
    /* 11 */ control.prepare("SELECT agent FROM agent_baselines"),
    /* 12 */ control.prepare("SELECT id, status, first_seen, resolved_at FROM agent_discoveries ORDER BY first_seen DESC LIMIT 500"),
    /* 13 */ control.prepare("SELECT max(ts) AS ts FROM audit_log WHERE action IN ('agent.discovery.run', 'agent.discovery.found')"),
    /* 14 */ control.prepare("SELECT r.id, r.period, r.status, r.closed_at, (SELECT count(*) FROM access_review_items i WHERE i.review_id = r.id) AS items, (SELECT count(*) FROM access_review_items i WHERE i.review_id = r.id AND i.decision IS NOT NULL) AS decided FROM access_reviews r ORDER BY r.opened_at DESC LIMIT 20"),
    /* 15 */ control.prepare("SELECT resource, ts FROM audit_log WHERE action = 'agent.baseline.accept' ORDER BY ts DESC LIMIT 50"),
    /* 16 */ control.prepare("SELECT id, taken_at, percent FROM maturity_snapshots ORDER BY taken_at DESC LIMIT 40"),
    /* 17 */ control.prepare("SELECT id, opened_at, status FROM maturity_investigations ORDER BY opened_at DESC LIMIT 100"),
    /* 18 */ control.prepare("SELECT r.id, r.year, r.generated_at, count(i.id) AS items, count(i.done_at) AS done, max(i.done_at) AS last_done FROM maturity_reviews r LEFT JOIN maturity_review_items i ON i.review_id = r.id GROUP BY r.id ORDER BY r.generated_at DESC LIMIT 10"),
    /* 19 */ control.prepare("SELECT id, created_at FROM maturity_recommendations WHERE status = 'open'"),
    /* 20 */ control.prepare("SELECT (SELECT count(*) FROM eval_recommendations WHERE status = 'accepted') + (SELECT count(*) FROM governance_proposals WHERE source = 'evidence-job' AND status IN ('applied', 'rejected')) + (SELECT count(*) FROM maturity_recommendations WHERE status != 'open') + (SELECT count(*) FROM agent_discoveries WHERE status != 'open') AS n"),
    /* 21 */ control.prepare("SELECT count(*) AS n FROM audit_log WHERE ts >= ? AND (actor LIKE 'cron:%' OR actor LIKE 'system:%')").bind(since(90)),
    /* 22 */ control.prepare("SELECT (SELECT count(*) FROM eval_runs) AS evaluations, (SELECT count(*) FROM governance_proposals WHERE status IN ('applied', 'rejected')) AS governance, (SELECT count(*) FROM knowledge_lessons) AS lessons, (SELECT count(*) FROM knowledge_lessons WHERE tags LIKE '%\"nps\"%') AS nps_lessons"),
  ]);
  const z = await zone.batch<Row>([
    /* 0 */ zone.prepare("SELECT id, kind, period, trigger, status, created_at FROM reports ORDER BY created_at DESC LIMIT 500"),
    /* 1 */ zone.prepare("SELECT id, ts, ok FROM restricted_audits ORDER BY ts DESC LIMIT 50"),
    /* 2 */ zone.prepare("SELECT id, status, guardrail, created_at, decided_at, decided_by, impact IS NOT NULL AS measured, impact_due_at FROM guardrail_recommendations ORDER BY created_at DESC LIMIT 1000"),
    /* 3 */ zone.prepare("SELECT month, scope, subject, error FROM forecast_accuracy WHERE scope = 'org' ORDER BY month"),
    /* 4 */ zone.prepare("SELECT s.id, s.created_at, (SELECT count(*) FROM survey_responses r WHERE r.survey_id = s.id) AS responses FROM surveys s ORDER BY s.created_at DESC LIMIT 50"),
    /* 5 */ zone.prepare("SELECT id, opened_at, closed_at FROM nps_investigations ORDER BY opened_at DESC LIMIT 100"),
    /* 6 */ zone.prepare("SELECT i.id, i.kind, i.drill, i.status, i.detected_at, (SELECT count(*) FROM incident_steps s WHERE s.incident_id = i.id AND s.step IN ('diagnose', 'remediate')) AS automated FROM incidents i ORDER BY i.detected_at DESC LIMIT 500"),
    /* 7 */ zone.prepare("SELECT trace, json_array_length(chain) AS len, ts FROM agent_calls WHERE trace IS NOT NULL AND (CASE WHEN json_valid(chain) THEN json_array_length(chain) ELSE 0 END) >= 2 ORDER BY ts DESC LIMIT 20"),
    /* 8 */ zone.prepare("SELECT agent, min(ts) AS first FROM agent_calls GROUP BY agent"),
    /* 9 */ zone.prepare("SELECT id, ts, acknowledged_at, resolved_at, json_extract(evidence, '$.agent') AS agent FROM alerts WHERE kind = 'agent_baseline_deviation' ORDER BY ts DESC LIMIT 200"),
    /* 10 */ zone.prepare("SELECT count(*) AS n FROM incidents"),
  ]);
  const rows = (i: number) => c[i].results;
  const zrows = (i: number) => z[i].results;
  const firstCall = new Map(zrows(8).map((r) => [str(r.agent), str(r.first)]));
  const baselines = new Set(rows(11).map((r) => str(r.agent)));
  const accepted = rows(15).map((r) => ({ agent: str(r.resource).split("/")[1] ?? "", ts: str(r.ts) }));
  const guardrails = zrows(2);
  const edges = [env.REGION ?? "us", ...Object.keys(json<Record<string, string>>(env.REGION_EDGES, {}))];
  const k = rows(22)[0] ?? {};
  return {
    now,
    region: env.REGION ?? "us",
    governance,
    reports: zrows(0).map((r) => ({ id: str(r.id), kind: str(r.kind), period: str(r.period), trigger: str(r.trigger), status: str(r.status), createdAt: str(r.created_at) })),
    routing: { workloads: workloadFacts(rows(0), rows(1)) },
    drills: rows(2).map((r) => ({ id: str(r.id), ts: str(r.ts), verdict: str(r.verdict), trigger: str(r.trigger) })),
    regions: {
      teamZones: Object.fromEntries(rows(3).map((r) => [str(r.zone), num(r.n)])),
      providerRegions: Object.fromEntries(rows(4).map((r) => [str(r.region), num(r.n)])),
      edges: [...new Set(edges)],
    },
    restrictedAudits: zrows(1).map((r) => ({ id: str(r.id), ts: str(r.ts), ok: !!num(r.ok) })),
    guardrailRecommendations: guardrails.map((r) => ({ id: str(r.id), status: str(r.status), guardrail: str(r.guardrail), createdAt: str(r.created_at), decidedAt: strOrNull(r.decided_at), impactMeasured: !!num(r.measured), impactDueAt: strOrNull(r.impact_due_at) })),
    forecastAccuracy: zrows(3).map((r) => ({ month: str(r.month), scope: str(r.scope), subject: str(r.subject), error: num(r.error) })),
    surveys: zrows(4).map((r) => ({ id: str(r.id), createdAt: str(r.created_at), responses: num(r.responses) })),
    npsInvestigations: zrows(5).map((r) => ({ id: str(r.id), openedAt: str(r.opened_at), closedAt: strOrNull(r.closed_at) })),
    incidents: zrows(6).map((r) => ({ id: str(r.id), kind: str(r.kind), drill: !!num(r.drill), status: str(r.status), detectedAt: str(r.detected_at), automatedSteps: num(r.automated) })),
    datasets: rows(5).map((r) => ({ workload: str(r.workload), version: num(r.version), suite: str(r.suite), examples: num(r.examples), coverage: num(r.coverage), createdAt: str(r.created_at) })),
    evalRuns: rows(6).map((r) => ({ id: str(r.id), workload: str(r.workload), suite: str(r.suite), trigger: str(r.trigger), createdAt: str(r.created_at) })),
    samplesByWorkload: Object.fromEntries(rows(7).map((r) => [str(r.workload), { count: num(r.n), latest: str(r.latest) }])),
    evalRecommendations: rows(8).map((r) => ({ id: str(r.id), decision: str(r.decision), status: str(r.status), workload: str(r.workload), createdAt: str(r.created_at) })),
    transitions: rows(9).map((r) => ({ id: str(r.id), workload: str(r.workload), from: str(r.from_state), to: str(r.to_state), status: str(r.status), approvedBy: strOrNull(r.approved_by), decidedAt: strOrNull(r.decided_at) })),
    agents: rows(10).map((r) => {
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
    discoveries: rows(12).map((r) => ({ id: str(r.id), status: str(r.status), firstSeen: str(r.first_seen), resolvedAt: strOrNull(r.resolved_at) })),
    lastDiscoveryRunAt: strOrNull(rows(13)[0]?.ts),
    delegationTraces: zrows(7).map((r) => ({ trace: str(r.trace), chainLength: num(r.len), ts: str(r.ts) })),
    accessReviews: rows(14).map((r) => ({ id: str(r.id), period: str(r.period), status: str(r.status), closedAt: strOrNull(r.closed_at), decided: num(r.decided), items: num(r.items) })),
    // A deviation is investigated once acknowledged or resolved, or once the new behaviour was accepted.
    baselineDeviations: zrows(9).map((r) => ({
      id: str(r.id), ts: str(r.ts), agent: strOrNull(r.agent),
      investigated: !!(r.acknowledged_at || r.resolved_at) || accepted.some((a) => a.agent === str(r.agent) && a.ts >= str(r.ts)),
    })),
    maturity: {
      snapshots: rows(16).map((r) => ({ id: str(r.id), takenAt: str(r.taken_at), percent: num(r.percent) })),
      investigations: rows(17).map((r) => ({ id: str(r.id), openedAt: str(r.opened_at), status: str(r.status) })),
      reviews: rows(18).map((r) => ({ id: str(r.id), year: num(r.year), generatedAt: str(r.generated_at), items: num(r.items), done: num(r.done), lastDoneAt: strOrNull(r.last_done) })),
    },
    feedback: {
      waiting: [
        ...guardrails.filter((r) => r.status === "open").map((r) => ({ kind: "guardrail recommendation", id: str(r.id), createdAt: str(r.created_at), href: "/admin/v1/guardrails/recommendations" })),
        ...rows(8).filter((r) => r.status === "open" && (r.decision === "promote" || r.decision === "flag")).map((r) => ({ kind: "model-upgrade recommendation", id: str(r.id), createdAt: str(r.created_at), href: "/admin/v1/evals/recommendations" })),
        ...governance.proposals.filter((p) => p.status === "open" && p.source === "evidence-job").map((p) => ({ kind: "governance evidence proposal", id: p.id, createdAt: p.createdAt, href: `/admin/v1/governance/proposals/${p.id}` })),
        ...rows(19).map((r) => ({ kind: "maturity recommendation", id: str(r.id), createdAt: str(r.created_at), href: "/admin/v1/maturity/recommendations" })),
      ],
      // Auto-applied tuning (decided by the system) is not a human review.
      decided: num(rows(20)[0]?.n) + guardrails.filter((r) => r.status !== "open" && r.decided_by && !/^(system|cron):/.test(str(r.decided_by))).length,
      automatedAudited: num(rows(21)[0]?.n),
    },
    knowledge: { incidents: num(zrows(10)[0]?.n), evaluations: num(k.evaluations), governance: num(k.governance), lessons: num(k.lessons), npsLessons: num(k.nps_lessons) },
  };
}
