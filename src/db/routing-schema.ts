/**
 * @module
 * D1 tables of the routing capability: versioned routing rules (append-only: every change,
 * deletion and rollback is a new version row with author, time and diff) and failover-drill
 * results. Migration: d1-migrations/0004_routing.sql (hand-written to match).
 */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const routingRules = sqliteTable(
  "routing_rules",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** "team" or "workload". */
    scope: text("scope").notNull(),
    subject: text("subject").notNull(),
    /** 1, 2, 3… per (scope, subject); the highest is the rule in force. */
    version: integer("version").notNull(),
    /** RoutingRulePut as JSON; null when this version deleted the rule. */
    spec: text("spec"),
    author: text("author").notNull(),
    createdAt: text("created_at").notNull(),
    /** put | delete | rollback */
    action: text("action").notNull(),
    /** JSON list of {path, from, to} against the previous version. */
    diff: text("diff").notNull(),
    /** For rollbacks: the version whose spec was restored. */
    restoredFrom: integer("restored_from"),
  },
  (t) => [uniqueIndex("routing_rules_subject_version").on(t.scope, t.subject, t.version)],
);

export const failoverDrills = sqliteTable(
  "failover_drills",
  {
    id: text("id").primaryKey(),
    ts: text("ts").notNull(),
    /** Catalog model (provider group) drilled. */
    model: text("model").notNull(),
    /** Primary provider whose outage was simulated. */
    provider: text("provider").notNull(),
    fallbackProvider: text("fallback_provider"),
    fault: text("fault").notNull(),
    rerouted: integer("rerouted").notNull(),
    fallbackOk: integer("fallback_ok").notNull(),
    /** Time from lifting the fault until the primary answered again; null if it did not. */
    recoveryMs: integer("recovery_ms"),
    recoveryBoundMs: integer("recovery_bound_ms").notNull(),
    /** pass | fail */
    verdict: text("verdict").notNull(),
    /** JSON: attempts, request ids, errors (never content). */
    detail: text("detail"),
    trigger: text("trigger").notNull(),
  },
  (t) => [index("failover_drills_ts").on(t.ts)],
);
