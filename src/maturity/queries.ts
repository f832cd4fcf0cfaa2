/**
 * @module
 * The SQL behind the facts, by name: one batch on the control-plane D1 and one on the zone's D1
 * (src/config/control-db.ts says which table lives where). Read only; bounded by LIMITs and
 * windows, since the assessment is recomputed on every request.
 */
import { DRILL_TEAM, DRILL_WORKLOAD } from "../routing/drills";

export type Row = Record<string, unknown>;
type Query = readonly [sql: string, ...binds: Array<string | number>];

/**
 * Runs named queries in one batch and answers their rows by the same names.
 * @example const { teams } = await batchNamed(db, { teams: ["SELECT id FROM teams"] });
 */
export async function batchNamed<K extends string>(db: D1Database, queries: Record<K, Query>): Promise<Record<K, Row[]>> {
  const names = Object.keys(queries) as K[];
  const results = await db.batch<Row>(names.map((n) => db.prepare(queries[n][0]).bind(...queries[n].slice(1))));
  return Object.fromEntries(names.map((n, i) => [n, results[i].results])) as Record<K, Row[]>;
}

/** Control plane: configuration, governance-adjacent workloads data, agents, audit log, this module's records. */
export function controlQueries(since: (days: number) => string) {
  return {
    // The failover drills' own synthetic tenant is not one of the organisation's workloads or teams.
    workloads: ["SELECT id, team, lifecycle, spec FROM workloads WHERE id != ?", DRILL_WORKLOAD],
    rules: [`SELECT r.scope, r.subject, r.version, r.spec FROM routing_rules r
      JOIN (SELECT scope, subject, max(version) AS v FROM routing_rules GROUP BY scope, subject) m
        ON m.scope = r.scope AND m.subject = r.subject AND m.v = r.version
      WHERE r.spec IS NOT NULL`],
    drills: ["SELECT id, ts, verdict, trigger FROM failover_drills WHERE ts >= ? ORDER BY ts DESC LIMIT 2000", since(400)],
    teamZones: ["SELECT residency AS zone, count(*) AS n FROM teams WHERE id != ? GROUP BY residency", DRILL_TEAM],
    providerRegions: ["SELECT region, count(*) AS n FROM providers GROUP BY region"],
    datasets: ["SELECT workload, version, suite, examples, coverage, created_at FROM datasets WHERE archived_at IS NULL"],
    evalRuns: ["SELECT id, workload, suite, trigger, created_at FROM eval_runs WHERE created_at >= ? ORDER BY created_at DESC LIMIT 5000", since(90)],
    samples: ["SELECT workload, count(*) AS n, max(ts) AS latest FROM eval_samples WHERE ts >= ? GROUP BY workload", since(30)],
    evalRecommendations: ["SELECT id, decision, status, workload, created_at FROM eval_recommendations ORDER BY created_at DESC LIMIT 500"],
    transitions: [`SELECT id, workload, from_state, to_state, status, approved_by, decided_at
      FROM workload_transitions ORDER BY created_at DESC LIMIT 500`],
    agents: ["SELECT id, team, spec, jkt FROM agents"],
    baselines: ["SELECT agent FROM agent_baselines"],
    discoveries: ["SELECT id, status, first_seen, resolved_at FROM agent_discoveries ORDER BY first_seen DESC LIMIT 500"],
    lastDiscoveryRun: ["SELECT max(ts) AS ts FROM audit_log WHERE action IN ('agent.discovery.run', 'agent.discovery.found')"],
    accessReviews: [`SELECT r.id, r.period, r.status, r.closed_at,
        (SELECT count(*) FROM access_review_items i WHERE i.review_id = r.id) AS items,
        (SELECT count(*) FROM access_review_items i WHERE i.review_id = r.id AND i.decision IS NOT NULL) AS decided
      FROM access_reviews r ORDER BY r.opened_at DESC LIMIT 20`],
    baselineAccepts: ["SELECT resource, ts FROM audit_log WHERE action = 'agent.baseline.accept' ORDER BY ts DESC LIMIT 50"],
    snapshots: ["SELECT id, taken_at, percent FROM maturity_snapshots ORDER BY taken_at DESC LIMIT 40"],
    investigations: ["SELECT id, opened_at, status FROM maturity_investigations ORDER BY opened_at DESC LIMIT 100"],
    reviews: [`SELECT r.id, r.year, r.generated_at, count(i.id) AS items, count(i.done_at) AS done, max(i.done_at) AS last_done
      FROM maturity_reviews r LEFT JOIN maturity_review_items i ON i.review_id = r.id
      GROUP BY r.id ORDER BY r.generated_at DESC LIMIT 10`],
    openRecommendations: ["SELECT id, created_at FROM maturity_recommendations WHERE status = 'open'"],
    // People's decisions on automated output (tuning decisions are counted from the zone's rows).
    decisions: [`SELECT (SELECT count(*) FROM eval_recommendations WHERE status = 'accepted')
      + (SELECT count(*) FROM governance_proposals WHERE source = 'evidence-job' AND status IN ('applied', 'rejected'))
      + (SELECT count(*) FROM maturity_recommendations WHERE status != 'open')
      + (SELECT count(*) FROM agent_discoveries WHERE status != 'open') AS n`],
    automatedAudited: ["SELECT count(*) AS n FROM audit_log WHERE ts >= ? AND (actor LIKE 'cron:%' OR actor LIKE 'system:%')", since(90)],
    knowledge: [`SELECT (SELECT count(*) FROM eval_runs) AS evaluations,
        (SELECT count(*) FROM governance_proposals WHERE status IN ('applied', 'rejected')) AS governance,
        (SELECT count(*) FROM knowledge_lessons) AS lessons,
        (SELECT count(*) FROM knowledge_lessons WHERE tags LIKE '%"nps"%') AS nps_lessons`],
  } satisfies Record<string, Query>;
}

/** The zone: reports, audits, tuning, forecasts, NPS, incidents, agent calls, alerts. */
export function zoneQueries() {
  return {
    reports: ["SELECT id, kind, period, trigger, status, created_at FROM reports ORDER BY created_at DESC LIMIT 500"],
    restrictedAudits: ["SELECT id, ts, ok FROM restricted_audits ORDER BY ts DESC LIMIT 50"],
    guardrails: [`SELECT id, status, guardrail, created_at, decided_at, decided_by, impact IS NOT NULL AS measured, impact_due_at
      FROM guardrail_recommendations ORDER BY created_at DESC LIMIT 1000`],
    forecastAccuracy: ["SELECT month, scope, subject, error FROM forecast_accuracy WHERE scope = 'org' ORDER BY month"],
    surveys: [`SELECT s.id, s.created_at, (SELECT count(*) FROM survey_responses r WHERE r.survey_id = s.id) AS responses
      FROM surveys s ORDER BY s.created_at DESC LIMIT 50`],
    npsInvestigations: ["SELECT id, opened_at, closed_at FROM nps_investigations ORDER BY opened_at DESC LIMIT 100"],
    incidents: [`SELECT i.id, i.kind, i.drill, i.status, i.detected_at,
        (SELECT count(*) FROM incident_steps s WHERE s.incident_id = i.id AND s.step IN ('diagnose', 'remediate')) AS automated
      FROM incidents i ORDER BY i.detected_at DESC LIMIT 500`],
    // One row per trace (its newest multi-agent call), newest first.
    delegationTraces: [`SELECT trace, max(json_array_length(chain)) AS len, max(ts) AS ts FROM agent_calls
      WHERE trace IS NOT NULL AND (CASE WHEN json_valid(chain) THEN json_array_length(chain) ELSE 0 END) >= 2
      GROUP BY trace ORDER BY ts DESC LIMIT 20`],
    firstCalls: ["SELECT agent, min(ts) AS first FROM agent_calls GROUP BY agent"],
    deviations: [`SELECT id, ts, acknowledged_at, resolved_at, json_extract(evidence, '$.agent') AS agent
      FROM alerts WHERE kind = 'agent_baseline_deviation' ORDER BY ts DESC LIMIT 200`],
    incidentCount: ["SELECT count(*) AS n FROM incidents"],
  } satisfies Record<string, Query>;
}
