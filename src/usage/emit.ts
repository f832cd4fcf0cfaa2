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
 *
 * Packing: a flush sends its events as few queue *messages* as fit, each a `{"type":"pack"}`
 * envelope holding up to 120 KB of them, not one message per event. Queues cost per message (the
 * broker validates, stores and delivers each one, and production bills per 64 KB message unit),
 * so under load this cuts the queue's work per request by the number of events a flush gathers.
 * A pack is delivered, retried and acknowledged whole; the writers are idempotent per event, so a
 * redelivered pack changes nothing.
 */
import type { PackedMessages, UsageQueueBody, UsageQueueMessage } from "./messages";

export type { PackedMessages } from "./messages";

/** Queue limits: 128 KB per message, 100 messages and 256 KB per sendBatch; stay under all. */
const MAX_PACK_BYTES = 120 * 1024;
const MAX_BATCH_EVENTS = 1000;
const MAX_BATCH_BYTES = 200 * 1024;
const FLUSH_AFTER_MS = 20;
/** The envelope's fixed text, counted against MAX_PACK_BYTES. */
const PACK_OPEN = '{"type":"pack","messages":[';
const PACK_CLOSE = "]}";

/** Type guard for the consumer. */
export function isPack(body: unknown): body is PackedMessages {
  return typeof body === "object" && body !== null && (body as { type?: unknown }).type === "pack" && Array.isArray((body as { messages?: unknown }).messages);
}

/**
 * Joins JSON texts into pack envelopes of at most `maxBytes` each (by the sizes given), in order.
 * A text larger than a pack on its own still gets a pack of its own: the queue, not this
 * function, decides whether it is too large, and the producer keeps bodies well below that.
 * @example packTexts(["{}", "{}"], [6, 6]) // ['{"type":"pack","messages":[{},{}]}']
 */
export function packTexts(texts: readonly string[], sizes: readonly number[], maxBytes = MAX_PACK_BYTES): string[] {
  const packs: string[] = [];
  const overhead = PACK_OPEN.length + PACK_CLOSE.length;
  let start = 0;
  let bytes = overhead;
  for (let i = 0; i < texts.length; i++) {
    const add = sizes[i] + (i > start ? 1 : 0);
    if (i > start && bytes + add > maxBytes) {
      packs.push(PACK_OPEN + texts.slice(start, i).join(",") + PACK_CLOSE);
      start = i;
      bytes = overhead + sizes[i];
    } else bytes += add;
  }
  if (start < texts.length) packs.push(PACK_OPEN + texts.slice(start).join(",") + PACK_CLOSE);
  return packs;
}

interface Batch {
  queue: Queue<UsageQueueBody>;
  /** Messages as JSON text: serialised once, to measure them, and packed as that text. */
  events: string[];
  /** UTF-8 size bound of each event's text. */
  sizes: number[];
  bytes: number;
  /** Full: later events open a new batch. Only the owner's own timer ever flushes it. */
  closed: boolean;
}

let open: Batch | undefined;

async function ownBatch(batch: Batch): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, FLUSH_AFTER_MS));
  batch.closed = true;
  if (open === batch) open = undefined;
  const messages = packTexts(batch.events, batch.sizes).map((body) => ({ body, contentType: "text" as const }));
  try {
    // The consumer parses text bodies (workers/consumers.ts); "json" would serialise them again.
    await batch.queue.sendBatch(messages);
  } catch (err) {
    console.error("usage events not sent", { count: batch.events.length, error: err instanceof Error ? err.message : String(err) });
  }
}

/** Below this many characters the ×3 bound is used as is: small enough not to matter. */
const MEASURE_ABOVE_CHARS = 4096;

const NON_ASCII = /[^\x00-\x7f]/;
const utf8 = new TextEncoder();

/**
 * Queue limits are in bytes. ASCII text (the usual event, also a long one carrying a 10 KB
 * prompt) is its own length, found by one native scan, without encoding a copy; short text with
 * other characters takes the bound of 3 bytes per UTF-16 code unit; longer such text is
 * measured exactly.
 * @example utf8ByteBound("hello") === 5; utf8ByteBound("héllo") === 15 // exact above 4096 characters
 */
export function utf8ByteBound(text: string): number {
  if (!NON_ASCII.test(text)) return text.length;
  return text.length > MEASURE_ABOVE_CHARS ? utf8.encode(text).byteLength : text.length * 3;
}

/** Adds an event; returns the flush promise when this call opened (and so owns) the batch. */
function enqueue(queue: Queue<UsageQueueBody>, event: UsageQueueMessage): Promise<void> | undefined {
  const json = JSON.stringify(event);
  const size = utf8ByteBound(json);
  if (open && !open.closed && open.queue === queue && open.bytes + size <= MAX_BATCH_BYTES) {
    open.events.push(json);
    open.sizes.push(size);
    open.bytes += size;
    if (open.events.length >= MAX_BATCH_EVENTS) open.closed = true;
    return undefined;
  }
  if (open) open.closed = true;
  const batch: Batch = { queue, events: [json], sizes: [size], bytes: size, closed: false };
  open = batch;
  return ownBatch(batch);
}

/**
 * Sends any message on the usage-events queue through the same per-isolate batch (request logs
 * use it too, so a request costs no queue call of its own).
 * @example emitBatched(env.USAGE_EVENTS, ctx, logRecord)
 */
export function emitBatched(queue: Queue<UsageQueueBody>, ctx: { waitUntil(p: Promise<unknown>): void }, message: UsageQueueMessage | Promise<UsageQueueMessage>): void {
  ctx.waitUntil(
    Promise.resolve(message)
      .then((e) => enqueue(queue, e))
      .catch((err: unknown) => console.error("usage event not built", { error: err instanceof Error ? err.message : String(err) })),
  );
}
