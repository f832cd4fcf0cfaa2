/**
 * @module
 * Sends usage events to the queue without holding the response. Events are batched per
 * isolate: the first event of a batch schedules one `sendBatch` a few milliseconds later (or at
 * once when the batch is full), and every request that joined the batch hands the same flush
 * promise to `waitUntil`, so the isolate stays alive until its events are sent. One queue call
 * per batch instead of one per request keeps the queue off the request's cost; a failed send is
 * logged (metadata only), never thrown.
 */
import type { UsageEvent } from "./event";

/** Queue limits: 100 messages and 256 KB per sendBatch; stay under both. */
const MAX_BATCH_MESSAGES = 100;
const MAX_BATCH_BYTES = 200 * 1024;
const FLUSH_AFTER_MS = 20;

interface Pending {
  queue: Queue<UsageEvent>;
  events: UsageEvent[];
  bytes: number;
  done: Promise<void>;
  flush: () => void;
}

let pending: Pending | undefined;

function openBatch(queue: Queue<UsageEvent>): Pending {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  const batch: Pending = {
    queue,
    events: [],
    bytes: 0,
    done,
    flush: () => {
      if (pending === batch) pending = undefined;
      clearTimeout(timer);
      const messages = batch.events.map((body) => ({ body, contentType: "json" as const }));
      queue
        .sendBatch(messages)
        .catch((err: unknown) => console.error("usage events not sent", { count: messages.length, error: err instanceof Error ? err.message : String(err) }))
        .finally(release);
    },
  };
  const timer = setTimeout(batch.flush, FLUSH_AFTER_MS);
  return batch;
}

function enqueue(queue: Queue<UsageEvent>, event: UsageEvent): Promise<void> {
  const size = JSON.stringify(event).length;
  if (pending && (pending.queue !== queue || pending.bytes + size > MAX_BATCH_BYTES)) pending.flush();
  pending ??= openBatch(queue);
  const batch = pending;
  batch.events.push(event);
  batch.bytes += size;
  if (batch.events.length >= MAX_BATCH_MESSAGES) batch.flush();
  return batch.done;
}

/**
 * @example emitUsage(env.USAGE_EVENTS, ctx, usage)
 */
export function emitUsage(queue: Queue<UsageEvent>, ctx: { waitUntil(p: Promise<unknown>): void }, event: UsageEvent | Promise<UsageEvent>): void {
  ctx.waitUntil(
    Promise.resolve(event)
      .then((e) => enqueue(queue, e))
      .catch((err: unknown) => console.error("usage event not built", { error: err instanceof Error ? err.message : String(err) })),
  );
}
