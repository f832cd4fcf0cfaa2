/**
 * @module
 * Fact builders for tests: an organisation with no records at all, and one whose records meet
 * every criterion. Tests change one field of either and watch one verdict flip.
 */
import { ALL_CRITERIA } from "./assess";
import type { MaturityFacts } from "./facts";
import type { Verdict } from "./types";

const DAY = 86_400_000;
const iso = (now: number, daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
const month = (now: number, monthsAgo: number) => {
  const d = new Date(now);
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - monthsAgo);
  return d.toISOString().slice(0, 7);
};

/** No records anywhere: what a fresh deployment looks like. */
export function emptyFacts(now: number): MaturityFacts {
  return {
    now, region: "us", zones: { answered: ["us"], failed: [], partial: false },
    governance: { proposals: [], versions: [], chainBrokenAt: null, consistency: { ran: false, errors: 0, warnings: 0, version: null }, regulatoryMap: null, reviews: [] },
    reports: [], routing: { workloads: [] }, drills: [], regions: { teamZones: {}, providerRegions: {}, edges: ["us"] }, restrictedAudits: [],
    guardrailRecommendations: [], forecastAccuracy: [], surveys: [], npsInvestigations: [], incidents: [], datasets: [], evalRuns: [],
    samplesByWorkload: {}, evalRecommendations: [], transitions: [], agents: [], discoveries: [], lastDiscoveryRunAt: null, delegationTraces: [],
    accessReviews: [], baselineDeviations: [],
    maturity: { snapshots: [], investigations: [], reviews: [] },
    feedback: { waiting: [], decided: 0, automatedAudited: 0 },
    knowledge: { incidents: 0, evaluations: 0, governance: 0, lessons: 0, npsLessons: 0 },
  };
}

/** Records that satisfy every criterion (two zones, so regional deployment applies). */
export function fullFacts(now: number): MaturityFacts {
  const proposal = (id: string) => ({ id, status: "applied", source: "evidence-job", createdAt: iso(now, 50), hasEvidence: true, hasRationale: true, impactMeasured: true });
  const report = (n: number) => ({ id: `rep_compliance_${month(now, n)}`, kind: "compliance", period: month(now, n), trigger: "cron", status: "sent", createdAt: iso(now, 30 * (n - 1)) });
  const workload = (id: string, strategy: string, dominantSignal?: string) => ({
    id, team: "t1", lifecycle: "production", inputCategories: 4, samplingRate: 5, routing: { strategy, dominantSignal, scope: "workload" as const, version: 1 },
  });
  const agent = (id: string) => ({ id, team: "t1", grants: 2, parameterGrants: 1, unconditionalWildcards: 0, hasKey: true, a2aCallable: true, firstCallAt: iso(now, 60), hasBaseline: true });
  return {
    ...emptyFacts(now),
    governance: {
      proposals: [proposal("p1"), proposal("p2")],
      versions: [{ version: 1, appliedAt: iso(now, 120) }, { version: 2, appliedAt: iso(now, 40) }],
      chainBrokenAt: null,
      consistency: { ran: true, errors: 0, warnings: 1, version: 2 },
      regulatoryMap: { regulations: 2, clauses: 6, reviewed: iso(now, 5).slice(0, 10) },
      reviews: [{ id: "gr1", quarter: "2026-Q4", status: "closed", openedAt: iso(now, 10), closedAt: iso(now, 5) }],
    },
    reports: [report(1), report(2)],
    routing: { workloads: [workload("chat", "lowest_latency"), workload("batch", "lowest_cost")] },
    drills: [{ id: "d1", ts: iso(now, 3), verdict: "pass", trigger: "cron" }, { id: "d2", ts: iso(now, 33), verdict: "pass", trigger: "cron" }],
    regions: { teamZones: { us: 2, eu: 1 }, providerRegions: { us: 2, eu: 1 }, edges: ["us", "eu", "apac"] },
    restrictedAudits: [{ id: "a1", ts: iso(now, 1), ok: true }],
    guardrailRecommendations: [{ id: "g1", status: "applied", guardrail: "rpm_limit", createdAt: iso(now, 20), decidedAt: iso(now, 19), impactMeasured: true, impactDueAt: iso(now, 5) }],
    forecastAccuracy: [{ month: month(now, 2), scope: "org", subject: "org", error: 0.08 }, { month: month(now, 1), scope: "org", subject: "org", error: 0.12 }],
    surveys: [{ id: "s1", createdAt: iso(now, 40), responses: 12 }],
    npsInvestigations: [{ id: "n1", openedAt: iso(now, 30), closedAt: iso(now, 25) }],
    incidents: [{ id: "inc1", kind: "provider_outage", drill: true, status: "resolved", detectedAt: iso(now, 7), automatedSteps: 3 }],
    datasets: ["chat", "batch"].map((w) => ({ workload: w, version: 2, suite: "golden", examples: 120, coverage: 0.9, createdAt: iso(now, 30) })),
    evalRuns: ["chat", "batch"].map((w) => ({ id: `run-${w}`, workload: w, suite: "adversarial", trigger: "cron", createdAt: iso(now, 1) })),
    samplesByWorkload: { chat: { count: 40, latest: iso(now, 1) }, batch: { count: 9, latest: iso(now, 2) } },
    evalRecommendations: [{ id: "er1", decision: "promote", status: "accepted", workload: "chat", createdAt: iso(now, 15) }],
    transitions: [{ id: "tr1", workload: "chat", from: "staging", to: "production", status: "applied", approvedBy: "li", decidedAt: iso(now, 60) }],
    agents: [agent("planner"), agent("worker")],
    discoveries: [{ id: "disc1", status: "registered", firstSeen: iso(now, 20), resolvedAt: iso(now, 18) }],
    lastDiscoveryRunAt: iso(now, 1),
    delegationTraces: [{ trace: "tr-1", chainLength: 2, ts: iso(now, 4) }],
    accessReviews: [{ id: "rev1", period: "2026-Q4", status: "completed", closedAt: iso(now, 20), decided: 4, items: 4 }],
    baselineDeviations: [{ id: "al1", ts: iso(now, 9), investigated: true, agent: "worker" }],
    maturity: {
      snapshots: [{ id: "m1", takenAt: iso(now, 30), percent: 90 }],
      investigations: [{ id: "mi1", openedAt: iso(now, 200), status: "closed" }],
      reviews: [{ id: "r2026", year: 2026, generatedAt: iso(now, 300), items: 8, done: 8, lastDoneAt: iso(now, 200) }],
    },
    feedback: { waiting: [{ kind: "guardrail recommendation", id: "g2", createdAt: iso(now, 3), href: "/admin/v1/guardrails/recommendations" }], decided: 5, automatedAudited: 40 },
    knowledge: { incidents: 1, evaluations: 3, governance: 2, lessons: 1, npsLessons: 0 },
  };
}

/** The time every criterion test judges at. */
export const NOW = Date.parse("2026-12-02T12:00:00Z");
/** ISO time `days` before {@link NOW}. */
export const ago = (days: number): string => iso(NOW, days);

/**
 * One criterion's verdict over {@link fullFacts} (or `base`) after `change`.
 * @example judge("l2.tiered-logging-audited", (f) => { f.restrictedAudits = []; }).status // "not_met"
 */
export function judge(id: string, change: (f: MaturityFacts) => void = () => {}, base: MaturityFacts = fullFacts(NOW)): Verdict {
  change(base);
  const c = ALL_CRITERIA.find((x) => x.id === id);
  if (!c) throw new Error(`no criterion ${id}`);
  return c.evaluate(base);
}
