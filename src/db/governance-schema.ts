/**
 * @module
 * D1 tables of governance (migration 0014_governance.sql): applied artifact versions (immutable,
 * hash-chained), proposals with their approvals, evidence findings and quarterly reviews.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One row per applied version; never updated or deleted (rollback is a new version). */
export const governanceVersions = sqliteTable("governance_versions", {
  version: integer("version").primaryKey(),
  appliedAt: text("applied_at").notNull(),
  author: text("author").notNull(),
  /** JSON array of approver subjects. */
  approvers: text("approvers").notNull(),
  /** SHA-256 hex of the RFC 8785 canonical JSON of {version, prev_sha256, artifacts}. */
  sha256: text("sha256").notNull(),
  prevSha256: text("prev_sha256"),
  proposalId: text("proposal_id").notNull(),
  /** JSON: the full artifact set. */
  artifacts: text("artifacts").notNull(),
});

export const governanceProposals = sqliteTable(
  "governance_proposals",
  {
    id: text("id").primaryKey(),
    createdAt: text("created_at").notNull(),
    author: text("author").notNull(),
    /** open | approved | rejected | applied */
    status: text("status").notNull(),
    /** The version the proposal was made against; apply refuses when the live state moved on. */
    baseVersion: integer("base_version").notNull(),
    /** JSON: the full proposed artifact set (the partial set merged over the base). */
    artifacts: text("artifacts").notNull(),
    rationale: text("rationale"),
    /** JSON: numbers behind an evidence-based change (what-if result, findings). */
    evidence: text("evidence"),
    /** JSON array of {by, role, at}. */
    approvals: text("approvals").notNull(),
    rejectedBy: text("rejected_by"),
    appliedVersion: integer("applied_version"),
    /** JSON: measured impact after apply (same metrics before vs after). */
    impact: text("impact"),
    /** human | evidence-job | review */
    source: text("source").notNull(),
  },
  (t) => [index("governance_proposals_status").on(t.status)],
);

/** Findings of the monthly evidence job (too restrictive / too permissive, with numbers). */
export const governanceFindings = sqliteTable(
  "governance_findings",
  {
    id: text("id").primaryKey(),
    ts: text("ts").notNull(),
    kind: text("kind").notNull(),
    workload: text("workload"),
    /** JSON: the numbers. */
    detail: text("detail").notNull(),
    proposalId: text("proposal_id"),
  },
  (t) => [index("governance_findings_ts").on(t.ts)],
);

/** Quarterly reviews: opened by cron, closed with minutes recorded as an artifact version. */
export const governanceReviews = sqliteTable("governance_reviews", {
  id: text("id").primaryKey(),
  quarter: text("quarter").notNull().unique(),
  openedAt: text("opened_at").notNull(),
  status: text("status").notNull(),
  /** JSON: consistency results, findings, expiring exemptions, regulatory-map items. */
  items: text("items").notNull(),
  closedAt: text("closed_at"),
  proposalId: text("proposal_id"),
});
