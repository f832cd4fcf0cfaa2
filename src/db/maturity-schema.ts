/**
 * @module
 * D1 tables of the Stage 3 self-assessment (src/maturity) and the knowledge base's lessons
 * (src/knowledge): control-plane data, global like governance. Migration:
 * d1-migrations/0018_maturity.sql (hand-written to match).
 */
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** A point in the score history; `statuses` keeps each criterion's status so drops name their cause. */
export const maturitySnapshots = sqliteTable(
  "maturity_snapshots",
  {
    id: text("id").primaryKey(),
    takenAt: text("taken_at").notNull(),
    /** cron:quarterly | manual */
    trigger: text("trigger").notNull(),
    percent: real("percent").notNull(),
    met: integer("met").notNull(),
    notMet: integer("not_met").notNull(),
    notApplicable: integer("not_applicable").notNull(),
    total: integer("total").notNull(),
    /** JSON: layer id → percent. */
    byLayer: text("by_layer").notNull(),
    /** JSON: criterion id → status. */
    statuses: text("statuses").notNull(),
  },
  (t) => [index("maturity_snapshots_taken").on(t.takenAt)],
);

/** Opened when a snapshot scores lower than the one before; one per snapshot. */
export const maturityInvestigations = sqliteTable(
  "maturity_investigations",
  {
    id: text("id").primaryKey(),
    openedAt: text("opened_at").notNull(),
    snapshotId: text("snapshot_id").notNull(),
    previousSnapshotId: text("previous_snapshot_id").notNull(),
    dropFrom: real("drop_from").notNull(),
    dropTo: real("drop_to").notNull(),
    /** JSON: criterion ids met before and not now. */
    regressed: text("regressed").notNull(),
    /** open | closed */
    status: text("status").notNull(),
    alertId: text("alert_id"),
    closedBy: text("closed_by"),
    closedAt: text("closed_at"),
    note: text("note"),
  },
  (t) => [uniqueIndex("maturity_investigations_snapshot").on(t.snapshotId)],
);

/** One annual framework review checklist per year. */
export const maturityReviews = sqliteTable(
  "maturity_reviews",
  {
    id: text("id").primaryKey(),
    year: integer("year").notNull(),
    generatedAt: text("generated_at").notNull(),
    generatedBy: text("generated_by").notNull(),
  },
  (t) => [uniqueIndex("maturity_reviews_year").on(t.year)],
);

export const maturityReviewItems = sqliteTable(
  "maturity_review_items",
  {
    reviewId: text("review_id").notNull(),
    id: text("id").notNull(),
    position: integer("position").notNull(),
    text: text("text").notNull(),
    criterionId: text("criterion_id"),
    doneBy: text("done_by"),
    doneAt: text("done_at"),
    note: text("note"),
  },
  (t) => [primaryKey({ columns: [t.reviewId, t.id] })],
);

/** One recommendation per not-met criterion (stable id), decided by a person. */
export const maturityRecommendations = sqliteTable(
  "maturity_recommendations",
  {
    id: text("id").primaryKey(),
    criterionId: text("criterion_id").notNull(),
    text: text("text").notNull(),
    action: text("action").notNull(),
    /** open | accepted | dismissed */
    status: text("status").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    decidedBy: text("decided_by"),
    decidedAt: text("decided_at"),
    reason: text("reason"),
  },
  (t) => [uniqueIndex("maturity_recommendations_criterion").on(t.criterionId)],
);

/** Lessons learned, written by people; searchable with incidents, evaluations and governance. */
export const knowledgeLessons = sqliteTable(
  "knowledge_lessons",
  {
    id: text("id").primaryKey(),
    createdAt: text("created_at").notNull(),
    author: text("author").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    /** JSON array of lowercase tags. */
    tags: text("tags").notNull(),
  },
  (t) => [index("knowledge_lessons_created").on(t.createdAt)],
);
