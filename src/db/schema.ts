/**
 * @module
 * D1 schema (drizzle). `npm run db:generate` turns changes here into a numbered SQL migration in
 * d1-migrations/. Control-plane objects keep their validated JSON `spec` beside the few columns
 * queries filter on, so adding a field to a schema in src/config needs no migration.
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One row (id = 1). Every admin write bumps `version`; edges compare it to their bundle's. */
export const configVersion = sqliteTable("config_version", {
  id: integer("id").primaryKey(),
  version: integer("version").notNull(),
  updatedAt: text("updated_at").notNull(),
});

export const providers = sqliteTable("providers", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  region: text("region").notNull(),
  /** ProviderPut without api_key, plus `faults`. */
  spec: text("spec").notNull(),
  /** AES-GCM ciphertext (base64 iv.ct) of the provider's API key; never returned. */
  secretEnc: text("secret_enc"),
  updatedAt: text("updated_at").notNull(),
});

export const models = sqliteTable("models", {
  id: text("id").primaryKey(),
  spec: text("spec").notNull(),
  updatedAt: text("updated_at").notNull(),
});

export const teams = sqliteTable("teams", {
  id: text("id").primaryKey(),
  residency: text("residency").notNull(),
  spec: text("spec").notNull(),
  updatedAt: text("updated_at").notNull(),
});

export const workloads = sqliteTable(
  "workloads",
  {
    id: text("id").primaryKey(),
    team: text("team").notNull(),
    lifecycle: text("lifecycle").notNull(),
    spec: text("spec").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("workloads_team").on(t.team)],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    /** SHA-256 hex of the whole key; the key itself is never stored. */
    hash: text("hash").notNull().unique(),
    /** First characters of the key, shown in listings so people can tell keys apart. */
    prefix: text("prefix").notNull(),
    workload: text("workload").notNull(),
    team: text("team").notNull(),
    name: text("name"),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [index("api_keys_workload").on(t.workload)],
);

/**
 * One row per request, written idempotently by the usage consumer. The primary key is the
 * gateway's own request id; the client's `x-request-id` is only `client_request_id`.
 */
export const usageEvents = sqliteTable(
  "usage_events",
  {
    requestId: text("request_id").primaryKey(),
    ts: text("ts").notNull(),
    team: text("team"),
    workload: text("workload"),
    keyId: text("key_id"),
    model: text("model"),
    provider: text("provider"),
    region: text("region").notNull(),
    tokensIn: integer("tokens_in").notNull(),
    tokensOut: integer("tokens_out").notNull(),
    /** Integer nano-dollars (1e-9 USD) so sums are exact. */
    costNusd: integer("cost_nusd").notNull(),
    latencyMs: integer("latency_ms").notNull(),
    ttfbMs: integer("ttfb_ms"),
    status: integer("status").notNull(),
    errorCode: text("error_code"),
    dataClass: text("data_class"),
    cache: text("cache"),
    estimated: integer("estimated").notNull(),
    /** Routing decision: rule version and reason. */
    route: text("route"),
    /** JSON: extra facts stages attach (dlp finding types, attempts, agent id...). */
    detail: text("detail"),
    /** The write that inserted the row: the daily rollup adds exactly one write's new rows. */
    ingestId: text("ingest_id"),
    /** The client's `x-request-id` (correlation only, never unique; hashed for restricted requests). */
    clientRequestId: text("client_request_id"),
    /** The region whose edge forwarded the request to this (home) zone; null when served where it arrived. */
    forwardedFrom: text("forwarded_from"),
  },
  (t) => [index("usage_events_ts").on(t.ts), index("usage_events_team_ts").on(t.team, t.ts), index("usage_events_ingest").on(t.ingestId)],
);

/** Daily rollup, updated in the same batch as the event inserts, only by rows that batch inserted. */
export const usageDaily = sqliteTable(
  "usage_daily",
  {
    day: text("day").notNull(),
    team: text("team").notNull(),
    workload: text("workload").notNull(),
    model: text("model").notNull(),
    /** Provider that answered; '-' for rows rolled up before 0010_finance.sql. */
    provider: text("provider").notNull().default("-"),
    requests: integer("requests").notNull(),
    errors: integer("errors").notNull(),
    cacheHits: integer("cache_hits").notNull(),
    tokensIn: integer("tokens_in").notNull(),
    tokensOut: integer("tokens_out").notNull(),
    costNusd: integer("cost_nusd").notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.team, t.workload, t.model, t.provider] }), index("usage_daily_team_day").on(t.team, t.day)],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ts: text("ts").notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    resource: text("resource").notNull(),
    detail: text("detail"),
  },
  (t) => [index("audit_log_ts").on(t.ts)],
);

export type UsageEventRow = typeof usageEvents.$inferInsert;

/**
 * Usage events, request logs and queue messages the consumer could not store (src/usage/storable.ts
 * says why), kept with the reason instead of vanishing. Keyed by kind and a digest of the body, so
 * redelivery adds nothing.
 */
export const ingestRejects = sqliteTable(
  "ingest_rejects",
  {
    kind: text("kind").notNull(),
    digest: text("digest").notNull(),
    receivedAt: text("received_at").notNull(),
    requestId: text("request_id"),
    team: text("team"),
    reason: text("reason").notNull(),
    body: text("body").notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.digest] }), index("ingest_rejects_received").on(t.receivedAt)],
);

/** Alerts raised by automated loops; `delivered` records which channels accepted it. */
export const alerts = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    ts: text("ts").notNull(),
    kind: text("kind").notNull(),
    severity: text("severity").notNull(),
    title: text("title").notNull(),
    evidence: text("evidence"),
    delivered: text("delivered"),
    acknowledgedAt: text("acknowledged_at"),
    // 0013_operations.sql: owner team, grouping into incidents, and the full lifecycle.
    team: text("team"),
    incidentId: text("incident_id"),
    acknowledgedBy: text("acknowledged_by"),
    resolvedAt: text("resolved_at"),
    resolvedBy: text("resolved_by"),
  },
  (t) => [index("alerts_ts").on(t.ts), index("alerts_incident").on(t.incidentId)],
);
