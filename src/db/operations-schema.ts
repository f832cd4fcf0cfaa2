/**
 * @module
 * D1 tables of operations automation: incidents and their runbook steps, per-team operations
 * policy, guardrail tuning recommendations and developer NPS rounds. Migration:
 * d1-migrations/0013_operations.sql (hand-written to match; it also adds the alert lifecycle
 * columns declared in ./schema.ts).
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One incident: related alerts grouped under one fingerprint, with its timeline. */
export const incidents = sqliteTable(
  "incidents",
  {
    id: text("id").primaryKey(),
    /** The runbook kind that owns it (provider_outage, budget_breach, dlp_spike). */
    kind: text("kind").notNull(),
    /** What makes two signals the same incident, e.g. `provider:sim-us`. */
    fingerprint: text("fingerprint").notNull(),
    title: text("title").notNull(),
    severity: text("severity").notNull(),
    /** open | mitigated | resolved */
    status: text("status").notNull(),
    drill: integer("drill").notNull(),
    team: text("team"),
    subject: text("subject"),
    /** First bad signal (may precede detection). */
    startedAt: text("started_at").notNull(),
    detectedAt: text("detected_at").notNull(),
    acknowledgedAt: text("acknowledged_at"),
    mitigatedAt: text("mitigated_at"),
    resolvedAt: text("resolved_at"),
    escalatedAt: text("escalated_at"),
    /** JSON: the runbook's diagnosis. */
    diagnosis: text("diagnosis"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("incidents_open").on(t.kind, t.status, t.fingerprint), index("incidents_detected").on(t.detectedAt)],
);

/** Append-only: every runbook step on an incident with its inputs and outcome. */
export const incidentSteps = sqliteTable(
  "incident_steps",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    incidentId: text("incident_id").notNull(),
    ts: text("ts").notNull(),
    /** detect | diagnose | remediate | verify | escalate | resolve | acknowledge */
    step: text("step").notNull(),
    /** ok | failed | skipped | dry_run */
    outcome: text("outcome").notNull(),
    inputs: text("inputs"),
    detail: text("detail"),
  },
  (t) => [index("incident_steps_incident").on(t.incidentId, t.id)],
);

/** Per-team operations policy (budget remediation, tuning opt-in and bounds). */
export const opsPolicies = sqliteTable("ops_policies", {
  team: text("team").primaryKey(),
  spec: text("spec").notNull(),
  updatedAt: text("updated_at").notNull(),
});

export const guardrailRecommendations = sqliteTable(
  "guardrail_recommendations",
  {
    id: text("id").primaryKey(),
    createdAt: text("created_at").notNull(),
    /** dlp_rule | rpm_limit | tpm_limit | budget_alert */
    guardrail: text("guardrail").notNull(),
    /** fires_excessively | never_fires */
    finding: text("finding").notNull(),
    team: text("team"),
    workload: text("workload"),
    /** What it is about, e.g. `workload:wl-1/EMAIL_ADDRESS`. */
    subject: text("subject").notNull(),
    /** Security guardrails (DLP, data classes) are never auto-applied. */
    security: integer("security").notNull(),
    current: text("current"),
    proposed: text("proposed"),
    evidence: text("evidence").notNull(),
    /** open | applied | dismissed */
    status: text("status").notNull(),
    decidedBy: text("decided_by"),
    decidedAt: text("decided_at"),
    note: text("note"),
    beforeMetrics: text("before_metrics"),
    impactDueAt: text("impact_due_at"),
    impact: text("impact"),
  },
  (t) => [index("guardrail_recommendations_status").on(t.status, t.createdAt)],
);

export const surveys = sqliteTable("surveys", {
  id: text("id").primaryKey(),
  createdAt: text("created_at").notNull(),
  title: text("title").notNull(),
  trigger: text("trigger").notNull(),
  closesAt: text("closes_at").notNull(),
  /** JSON: eligible key count overall and per team when the round opened (response rate). */
  eligible: text("eligible").notNull(),
});

export const surveyResponses = sqliteTable(
  "survey_responses",
  {
    surveyId: text("survey_id").notNull(),
    keyId: text("key_id").notNull(),
    team: text("team").notNull(),
    workload: text("workload").notNull(),
    wouldRecommend: integer("would_recommend").notNull(),
    scores: text("scores").notNull(),
    /** After DLP (redacted); never stored when DLP blocks it. */
    comment: text("comment"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.surveyId, t.keyId] })],
);

/** Opened when NPS drops 10+ points between rounds; closed by a person, with a note. */
export const npsInvestigations = sqliteTable("nps_investigations", {
  id: text("id").primaryKey(),
  surveyId: text("survey_id").notNull(),
  previousSurveyId: text("previous_survey_id").notNull(),
  /** "overall" or an area name. */
  scope: text("scope").notNull(),
  dropPoints: integer("drop_points").notNull(),
  openedAt: text("opened_at").notNull(),
  closedAt: text("closed_at"),
  closedBy: text("closed_by"),
  note: text("note"),
});
