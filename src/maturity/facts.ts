/**
 * @module
 * Everything the criteria read, as plain data. ./gather-facts.ts fills it from the existing
 * tables (nothing here is a stored answer); tests build it by hand. Times are ISO strings.
 */
import type { RegionsReport } from "../admin/region-merge";

export interface ProposalFact {
  id: string;
  status: string;
  source: string;
  createdAt: string;
  hasEvidence: boolean;
  hasRationale: boolean;
  impactMeasured: boolean;
}

export interface ReportFact {
  id: string;
  /** The zone whose store holds it, when facts were gathered from several regions. */
  region?: string;
  kind: string;
  period: string;
  trigger: string;
  status: string;
  createdAt: string;
}

export interface GovernanceReviewFact {
  id: string;
  quarter: string;
  status: string;
  openedAt: string;
  closedAt: string | null;
}

export interface WorkloadFact {
  id: string;
  team: string;
  lifecycle: string;
  inputCategories: number;
  samplingRate: number;
  /** The effective routing strategy (workload rule over team rule) and its dominant signal. */
  routing?: { strategy: string; dominantSignal?: string; scope: "team" | "workload"; version: number };
}

export interface DatasetFact {
  workload: string;
  version: number;
  suite: string;
  examples: number;
  coverage: number;
  createdAt: string;
}

export interface AgentFact {
  id: string;
  team: string;
  grants: number;
  /** Grants restricted by a parameter condition (`when`). */
  parameterGrants: number;
  /** Grants of every tool of a server ("*") with no condition. */
  unconditionalWildcards: number;
  hasKey: boolean;
  a2aCallable: boolean;
  /** First recorded tool call, if any. */
  firstCallAt: string | null;
  hasBaseline: boolean;
}

export interface MaturityFacts {
  /** Epoch ms the facts describe (the assessment time). */
  now: number;
  region: string;
  /**
   * Which regions' zone stores the zone facts (reports, incidents, forecasts, agent calls...)
   * come from; a failed region's records are missing, and criteria that read them say so.
   */
  zones: RegionsReport;
  governance: {
    proposals: ProposalFact[];
    versions: Array<{ version: number; appliedAt: string }>;
    /** null when the hash chain verifies; otherwise where it breaks. */
    chainBrokenAt: number | null;
    /** The consistency check run over the live version during this assessment. */
    consistency: { ran: boolean; errors: number; warnings: number; version: number | null };
    regulatoryMap: { regulations: number; clauses: number; reviewed: string | null } | null;
    reviews: GovernanceReviewFact[];
  };
  reports: ReportFact[];
  routing: { workloads: WorkloadFact[] };
  drills: Array<{ id: string; ts: string; verdict: string; trigger: string }>;
  regions: {
    /** zone → teams resident there. */
    teamZones: Record<string, number>;
    /** region → providers registered there. */
    providerRegions: Record<string, number>;
    /** Zones with an edge: this one plus REGION_EDGES. */
    edges: string[];
  };
  restrictedAudits: Array<{ id: string; ts: string; ok: boolean; region?: string }>;
  guardrailRecommendations: Array<{ id: string; region?: string; status: string; guardrail: string; createdAt: string; decidedAt: string | null; impactMeasured: boolean; impactDueAt: string | null }>;
  forecastAccuracy: Array<{ region?: string; month: string; scope: string; subject: string; error: number }>;
  surveys: Array<{ id: string; region?: string; createdAt: string; responses: number }>;
  npsInvestigations: Array<{ id: string; region?: string; openedAt: string; closedAt: string | null }>;
  incidents: Array<{ id: string; region?: string; kind: string; drill: boolean; status: string; detectedAt: string; automatedSteps: number }>;
  datasets: DatasetFact[];
  evalRuns: Array<{ id: string; workload: string; suite: string; trigger: string; createdAt: string }>;
  /** Production samples per workload in the sampling window. */
  samplesByWorkload: Record<string, { count: number; latest: string }>;
  evalRecommendations: Array<{ id: string; decision: string; status: string; workload: string; createdAt: string }>;
  transitions: Array<{ id: string; workload: string; from: string; to: string; status: string; approvedBy: string | null; decidedAt: string | null }>;
  agents: AgentFact[];
  discoveries: Array<{ id: string; status: string; firstSeen: string; resolvedAt: string | null }>;
  /** Latest recorded shadow-agent scan (audit log), if any. */
  lastDiscoveryRunAt: string | null;
  /** A recorded call with a delegation chain of two or more agents. */
  delegationTraces: Array<{ trace: string; region?: string; chainLength: number; ts: string }>;
  accessReviews: Array<{ id: string; period: string; status: string; closedAt: string | null; decided: number; items: number }>;
  baselineDeviations: Array<{ id: string; region?: string; ts: string; investigated: boolean; agent: string | null }>;
  maturity: {
    snapshots: Array<{ id: string; takenAt: string; percent: number }>;
    investigations: Array<{ id: string; openedAt: string; status: string }>;
    reviews: Array<{ id: string; year: number; generatedAt: string; items: number; done: number; lastDoneAt: string | null }>;
  };
  feedback: {
    /** Automated recommendations still waiting for a person, with where they live. */
    waiting: Array<{ kind: string; id: string; createdAt: string; href: string }>;
    /** Decisions people recorded on automated output (applied, dismissed, accepted, closed). */
    decided: number;
    /** Audit rows written by automated actors (cron:, system:) in the last 90 days. */
    automatedAudited: number;
  };
  knowledge: { incidents: number; evaluations: number; governance: number; lessons: number; npsLessons: number };
}
