/**
 * @module
 * D1 tables of the guardrails issue (tiered request logs and restricted-content audits). Kept
 * apart from schema.ts so parallel work does not collide; d1-migrations/0003_guardrails.sql
 * creates exactly these.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One row per logged request: metadata only. Bodies of public and internal requests live in R2
 * under `body_key`, usually a slice of a batch segment (src/logging/segment.ts); restricted
 * requests never have one (the audit checks it). 0005_log_segments.sql adds `body_offset`.
 */
export const requestLogs = sqliteTable(
  "request_logs",
  {
    requestId: text("request_id").primaryKey(),
    ts: text("ts").notNull(),
    team: text("team"),
    workload: text("workload"),
    keyId: text("key_id"),
    model: text("model"),
    provider: text("provider"),
    dataClass: text("data_class").notNull(),
    status: integer("status").notNull(),
    tokensIn: integer("tokens_in").notNull(),
    tokensOut: integer("tokens_out").notNull(),
    cache: text("cache"),
    /** JSON array of DLP entity types found (never values). */
    dlpTypes: text("dlp_types"),
    /** R2 key of the request/response bodies; NULL for restricted and for metadata-only rows. */
    bodyKey: text("body_key"),
    /** Byte offset of this row's bodies in the segment at `body_key`; NULL: the whole object is this row's. */
    bodyOffset: integer("body_offset"),
    /** UTF-8 byte length of the bodies JSON (the slice length when `body_offset` is set). */
    bodyBytes: integer("body_bytes"),
    /** ISO time after which the purge job deletes the row and its body. */
    expiresAt: text("expires_at").notNull(),
    /** The client's `x-request-id` (correlation only, never unique; hashed for restricted requests). */
    clientRequestId: text("client_request_id"),
  },
  (t) => [
    index("request_logs_ts").on(t.ts),
    index("request_logs_client_request_id").on(t.clientRequestId),
    index("request_logs_team_ts").on(t.team, t.ts),
    index("request_logs_expires").on(t.expiresAt),
    // The purge asks whether any row still references a segment.
    index("request_logs_body_key").on(t.bodyKey),
  ],
);

/** Reports of the scheduled restricted-content audit. */
export const restrictedAudits = sqliteTable(
  "restricted_audits",
  {
    id: text("id").primaryKey(),
    ts: text("ts").notNull(),
    ok: integer("ok").notNull(),
    /** JSON: checks run, counts scanned, violations (locations only, never content). */
    report: text("report").notNull(),
  },
  (t) => [index("restricted_audits_ts").on(t.ts)],
);
