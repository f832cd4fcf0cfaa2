/**
 * @module
 * Sends a request's log record to the queue after the response (waitUntil, never on the hot
 * path). Bodies ride inside the message when small; larger ones are written to R2 here first and
 * the message carries the key. Restricted requests never carry bodies: buildLogRecord drops them.
 */
import type { Env } from "../env";
import { emitBatched } from "../usage/emit";
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
  // The queue limit is in bytes: a UTF-16 code unit is at most 3 UTF-8 bytes, so short bodies skip the encode.
  if (json.length * 3 <= QUEUE_BODY_LIMIT_BYTES) return record;
  const bytes = new TextEncoder().encode(json);
  if (bytes.byteLength <= QUEUE_BODY_LIMIT_BYTES) return record;
  const key = bodyKey(record.data_class, record.ts, record.request_id);
  await env.BLOBS.put(key, bytes, {
    httpMetadata: { contentType: "application/json" },
    customMetadata: { data_class: record.data_class, team: record.team ?? "", request_id: record.request_id },
  });
  const { bodies: _dropped, ...rest } = record;
  return { ...rest, body_key: key, body_bytes: bytes.byteLength };
}

/**
 * @example emitLog(deps, usagePromise.then((u) => ({ usage: u, bodies: { request, response } })));
 */
export function emitLog(deps: LogDeps, pending: Promise<{ usage: UsageEvent; bodies?: LogBodies }> | { usage: UsageEvent; bodies?: LogBodies }): void {
  // Batched with the usage events (src/usage/emit.ts): no queue call of its own per request.
  const message = Promise.resolve(pending).then(({ usage, bodies }) => prepareLogMessage(deps.env, buildLogRecord(usage, bodies, Date.now())));
  emitBatched(deps.env.USAGE_EVENTS as unknown as Queue<LogRecord>, deps.ctx, message);
}
