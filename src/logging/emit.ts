/**
 * @module
 * Sends a request's usage event and log record to the queue after the response (waitUntil,
 * never on the hot path), as one message. Bodies ride inside the message when small; larger ones are written to R2 here first and
 * the message carries the key. Restricted requests never carry bodies: buildLogRecord drops them.
 */
import { sha256Hex } from "../config/secrets";
import type { Env } from "../env";
import { emitBatched, utf8ByteBound } from "../usage/emit";
import type { UsageEvent } from "../usage/event";
import { QUEUE_BODY_LIMIT_BYTES, bodyKey, buildLogRecord, type LogBodies, type LogRecord } from "./tier";

export interface LogDeps {
  env: Pick<Env, "USAGE_EVENTS" | "BLOBS">;
  ctx: { waitUntil(p: Promise<unknown>): void };
}

/** Builds the message for a record, moving large bodies to R2 first. */
export async function prepareLogMessage(env: Pick<Env, "BLOBS">, record: LogRecord): Promise<LogRecord> {
  if (!record.bodies) return record;
  const json = JSON.stringify(record.bodies);
  // Exact whenever it can pass the limit: the bound is only used below 4096 characters (≤ 12 KB).
  const bytes = utf8ByteBound(json);
  if (bytes <= QUEUE_BODY_LIMIT_BYTES) return record;
  const key = bodyKey(record.data_class, record.ts, record.request_id);
  await env.BLOBS.put(key, json, {
    httpMetadata: { contentType: "application/json" },
    customMetadata: { data_class: record.data_class, team: record.team ?? "", request_id: record.request_id },
  });
  const { bodies: _dropped, ...rest } = record;
  return { ...rest, body_key: key, body_bytes: bytes };
}

/**
 * How a client's `x-request-id` is stored: as sent, except for restricted requests (and those
 * refused before their class was known), which keep no client-sent text, only this hash. GET
 * /logs?client_request_id= matches either form, so correlation still works.
 * @example await storedClientRequestId("job-1", "restricted") // "sha256:<32 hex>"
 */
export async function storedClientRequestId(id: string, dataClass: UsageEvent["data_class"]): Promise<string> {
  if (dataClass === "public" || dataClass === "internal") return id;
  return `sha256:${(await sha256Hex(id)).slice(0, 32)}`;
}

/** One queue message per request: its usage event and its log record together. */
export interface RequestMessage {
  type: "request";
  usage: UsageEvent;
  log: LogRecord;
}

/** Type guard for the consumer. */
export function isRequestMessage(body: unknown): body is RequestMessage {
  return typeof body === "object" && body !== null && (body as { type?: unknown }).type === "request";
}

/**
 * Sends a finished request's usage event and log record as one message, through the isolate's
 * batch (src/usage/emit.ts): no queue call of its own, and one message instead of two.
 * @example emitRequest(deps, usagePromise.then((u) => ({ usage: u, bodies: { request, response } })));
 */
export function emitRequest(deps: LogDeps, pending: Promise<{ usage: UsageEvent; bodies?: LogBodies }> | { usage: UsageEvent; bodies?: LogBodies }): void {
  const message = Promise.resolve(pending).then(async ({ usage, bodies }): Promise<RequestMessage> => {
    if (usage.client_request_id) usage.client_request_id = await storedClientRequestId(usage.client_request_id, usage.data_class);
    return { type: "request", usage, log: await prepareLogMessage(deps.env, buildLogRecord(usage, bodies, Date.now())) };
  });
  emitBatched(deps.env.USAGE_EVENTS, deps.ctx, message);
}
