/**
 * @module
 * Sends usage events to the queue without holding the response, batched per isolate.
 *
 * Consistency note: Workers forbid one request from waiting on I/O that another request started
 * (the waiting request is cancelled with "Promise will never complete"). So a batch is *owned*
 * by the request that opened it: the owner schedules the flush and hands only its own
 * `sendBatch` to `waitUntil`; requests that join the batch just append plain data and wait on
 * nothing, and never call into the owner (not even to flush early: resolving another request's
 * promise is cross-request I/O too; a full batch is simply closed and a new one opened). The owner's context stays alive until the flush completes, so joined events are sent
 * even if their own requests have ended. One queue call per ~20 ms instead of one per request
 * keeps the queue off each request's cost; a failed send is logged (metadata only), never thrown.
 */
import type { UsageEvent } from "./event";

/** Queue limits: 100 messages and 256 KB per sendBatch; stay under both. */
const MAX_BATCH_MESSAGES = 100;
const MAX_BATCH_BYTES = 200 * 1024;
const FLUSH_AFTER_MS = 20;

/** Anything sent on the usage-events queue: usage events and request-log records. */
type QueueMessage = UsageEvent | { type: string };

interface Batch {
  queue: Queue<QueueMessage>;
  /** Messages as JSON text: serialised once, to measure them, and sent as that text. */
  events: string[];
  bytes: number;
  /** Full: later events open a new batch. Only the owner's own timer ever flushes it. */
  closed: boolean;
}

let open: Batch | undefined;

async function ownBatch(batch: Batch): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, FLUSH_AFTER_MS));
  batch.closed = true;
  if (open === batch) open = undefined;
  const messages = batch.events.map((body) => ({ body, contentType: "text" as const }));
  try {
    // The consumer parses text bodies (workers/consumers.ts); "json" would serialise them again.
    await (batch.queue as unknown as Queue<string>).sendBatch(messages);
  } catch (err) {
    console.error("usage events not sent", { count: messages.length, error: err instanceof Error ? err.message : String(err) });
  }
}

/** Below this many characters the ×3 bound is used as is: small enough not to matter. */
const MEASURE_ABOVE_CHARS = 4096;

/**
 * Queue limits are in bytes. A UTF-16 code unit is at most 3 UTF-8 bytes, so short text takes
 * that bound (no encode on the common path); longer text is measured exactly.
 * @example utf8ByteBound("héllo") === 15 // short: 3 × 5; exact for text over 4096 characters
 */
export function utf8ByteBound(text: string): number {
  return text.length <= MEASURE_ABOVE_CHARS ? text.length * 3 : new TextEncoder().encode(text).byteLength;
}

/** Adds an event; returns the flush promise when this call opened (and so owns) the batch. */
function enqueue(queue: Queue<QueueMessage>, event: QueueMessage): Promise<void> | undefined {
  const json = JSON.stringify(event);
  const size = utf8ByteBound(json);
  if (open && !open.closed && open.queue === queue && open.bytes + size <= MAX_BATCH_BYTES) {
    open.events.push(json);
    open.bytes += size;
    if (open.events.length >= MAX_BATCH_MESSAGES) open.closed = true;
    return undefined;
  }
  if (open) open.closed = true;
  const batch: Batch = { queue, events: [json], bytes: size, closed: false };
  open = batch;
  return ownBatch(batch);
}

/**
 * Sends any message on the usage-events queue through the same per-isolate batch (request logs
 * use it too, so a request costs no queue call of its own).
 * @example emitBatched(env.USAGE_EVENTS, ctx, logRecord)
 */
export function emitBatched<T extends QueueMessage>(queue: Queue<T>, ctx: { waitUntil(p: Promise<unknown>): void }, message: T | Promise<T>): void {
  ctx.waitUntil(
    Promise.resolve(message)
      .then((e) => enqueue(queue as unknown as Queue<QueueMessage>, e))
      .catch((err: unknown) => console.error("usage event not built", { error: err instanceof Error ? err.message : String(err) })),
  );
}
