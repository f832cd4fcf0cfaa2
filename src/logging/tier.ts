/**
 * @module
 * Tier policy of prompt logging, as pure functions: what a request of each data class may leave
 * behind, where its bodies go and for how long. {@link buildLogRecord} is the one choke point
 * every log passes through, and it drops bodies of restricted requests whatever the caller sent.
 */
import type { DataClass } from "../config/schemas";
import type { UsageEvent } from "../usage/event";

/** Days a log row (and its body) is kept, per class. Restricted rows are metadata only. */
export const RETENTION_DAYS: Readonly<Record<DataClass, number>> = { public: 30, internal: 90, restricted: 365 };

/** Bodies above this travel to R2 directly (queue messages are limited to 128 KB in total). */
export const QUEUE_BODY_LIMIT_BYTES = 96 * 1024;

export interface LogBodies {
  /** The request as it left for the provider (after DLP redaction). */
  request: unknown;
  /** The answer as the client received it (after DLP redaction), or null on failure. */
  response: unknown;
}

/** The queue message of one request log. `type` tells it apart from usage events on the same queue. */
export interface LogRecord
  extends Pick<UsageEvent, "request_id" | "client_request_id" | "ts" | "team" | "workload" | "key_id" | "model" | "provider" | "status" | "tokens_in" | "tokens_out" | "cache"> {
  type: "request_log";
  data_class: DataClass;
  dlp_types: string[];
  expires_at: string;
  /** Inline bodies (public/internal, small enough). */
  bodies?: LogBodies;
  /** Where the bodies already are, when they were too large for the queue. */
  body_key?: string;
  body_bytes?: number;
}

/** True when a class may keep request/response bodies at all. */
export function keepsBodies(dataClass: DataClass): boolean {
  return dataClass !== "restricted";
}

/**
 * R2 key of a request's bodies: by class and day, so retention purges and audits can list by prefix.
 * @example bodyKey("internal", "2026-07-01T10:00:00Z", "req-1") === "logs/internal/2026-07-01/req-1.json"
 */
export function bodyKey(dataClass: DataClass, ts: string, requestId: string): string {
  return `logs/${dataClass}/${ts.slice(0, 10)}/${encodeURIComponent(requestId)}.json`;
}

/** Request id back from a body key (audits cross-check it against the request's class). */
export function requestIdOfKey(key: string): string | undefined {
  const m = /^logs\/[a-z]+\/\d{4}-\d{2}-\d{2}\/(.+)\.json$/.exec(key);
  return m ? decodeURIComponent(m[1]) : undefined;
}

function dlpTypes(detail: Record<string, unknown> | undefined): string[] {
  const out = new Set<string>();
  for (const k of ["dlp_request", "dlp_response"]) {
    const d = detail?.[k] as { types?: unknown } | undefined;
    if (Array.isArray(d?.types)) for (const t of d.types) if (typeof t === "string") out.add(t);
  }
  return [...out];
}

/**
 * The log record of a finished request. Bodies are attached only when the class keeps them.
 * @example buildLogRecord(usage, { request, response }, Date.now()).bodies === undefined // when usage.data_class is restricted
 */
export function buildLogRecord(usage: UsageEvent, bodies: LogBodies | undefined, now: number): LogRecord {
  const dataClass: DataClass = usage.data_class ?? "restricted";
  const record: LogRecord = {
    type: "request_log",
    request_id: usage.request_id,
    client_request_id: usage.client_request_id ?? null,
    ts: usage.ts,
    team: usage.team,
    workload: usage.workload,
    key_id: usage.key_id,
    model: usage.model,
    provider: usage.provider,
    data_class: dataClass,
    status: usage.status,
    tokens_in: usage.tokens_in,
    tokens_out: usage.tokens_out,
    cache: usage.cache,
    dlp_types: dlpTypes(usage.detail),
    expires_at: new Date(now + RETENTION_DAYS[dataClass] * 86_400_000).toISOString(),
  };
  if (bodies && keepsBodies(dataClass)) record.bodies = bodies;
  return record;
}

/** Type guard for queue consumers: log records share the usage-events queue. */
export function isLogRecord(body: unknown): body is LogRecord {
  return typeof body === "object" && body !== null && (body as { type?: unknown }).type === "request_log";
}
