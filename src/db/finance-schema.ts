/**
 * @module
 * D1 tables of the finance loop (issue 11): imported provider spend, forecast adjustments,
 * forecast snapshots and their accuracy, exhaustion warnings and the report archive index.
 * d1-migrations/0010_finance.sql creates exactly these (and adds `provider` to usage_daily).
 */
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Provider spend imported from bills (JSON or FOCUS 1.2 CSV); never mixed into usage_daily. */
export const spendImports = sqliteTable(
  "spend_imports",
  {
    source: text("source").notNull(),
    day: text("day").notNull(),
    team: text("team").notNull(),
    workload: text("workload").notNull().default("-"),
    model: text("model").notNull().default("-"),
    provider: text("provider").notNull().default("-"),
    costNusd: integer("cost_nusd").notNull(),
    tokensIn: integer("tokens_in"),
    tokensOut: integer("tokens_out"),
    requests: integer("requests"),
    importId: text("import_id").notNull(),
    importedAt: text("imported_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.source, t.day, t.team, t.workload, t.model, t.provider] }), index("spend_imports_team_day").on(t.team, t.day)],
);

/** Planned changes: a workload's launch or migration (percent or $/day), or a model's price change. */
export const forecastAdjustments = sqliteTable("forecast_adjustments", {
  id: text("id").primaryKey(),
  /** workload_change | price_change */
  kind: text("kind").notNull(),
  team: text("team"),
  workload: text("workload"),
  model: text("model"),
  percent: real("percent"),
  nusdPerDay: integer("nusd_per_day"),
  effectiveFrom: text("effective_from").notNull(),
  effectiveTo: text("effective_to"),
  note: text("note"),
  createdBy: text("created_by").notNull(),
  createdAt: text("created_at").notNull(),
});

/** The forecast made on a day for one scope: JSON list of p50 nano-USD per day from `made_on`. */
export const forecastSnapshots = sqliteTable(
  "forecast_snapshots",
  {
    madeOn: text("made_on").notNull(),
    scope: text("scope").notNull(),
    subject: text("subject").notNull(),
    method: text("method").notNull(),
    daily: text("daily").notNull(),
  },
  (t) => [primaryKey({ columns: [t.madeOn, t.scope, t.subject] })],
);

/** A month's forecast (the snapshot made before it began) against its actual spend. */
export const forecastAccuracy = sqliteTable(
  "forecast_accuracy",
  {
    month: text("month").notNull(),
    scope: text("scope").notNull(),
    subject: text("subject").notNull(),
    madeOn: text("made_on").notNull(),
    forecastNusd: integer("forecast_nusd").notNull(),
    actualNusd: integer("actual_nusd").notNull(),
    /** |forecast − actual| ÷ actual. */
    error: real("error").notNull(),
    computedAt: text("computed_at").notNull(),
    alertId: text("alert_id"),
  },
  (t) => [primaryKey({ columns: [t.month, t.scope, t.subject] })],
);

/** One row per team and budget period: raised once, withdrawn when the projection falls back. */
export const exhaustionWarnings = sqliteTable(
  "exhaustion_warnings",
  {
    team: text("team").notNull(),
    period: text("period").notNull(),
    /** active | withdrawn */
    status: text("status").notNull(),
    exhaustionDate: text("exhaustion_date"),
    projectedNusd: integer("projected_nusd").notNull(),
    limitNusd: integer("limit_nusd").notNull(),
    alertId: text("alert_id"),
    raisedAt: text("raised_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.team, t.period] })],
);

/** Report archive index; the data (JSON) and the exact MIME message live in R2, immutable. */
export const reports = sqliteTable(
  "reports",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    period: text("period").notNull(),
    trigger: text("trigger").notNull(),
    createdAt: text("created_at").notNull(),
    /** SHA-256 hex of the MIME message. */
    sha256: text("sha256").notNull(),
    dataKey: text("data_key").notNull(),
    mimeKey: text("mime_key").notNull(),
    recipients: text("recipients").notNull(),
    /** JSON list of recipients the message was accepted for (so a retry never resends). */
    deliveredTo: text("delivered_to").notNull(),
    /** pending | sent | failed */
    status: text("status").notNull(),
    messageId: text("message_id"),
    error: text("error"),
    attempts: integer("attempts").notNull(),
    claimedUntil: text("claimed_until"),
  },
  (t) => [index("reports_kind_period").on(t.kind, t.period)],
);
