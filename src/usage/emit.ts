/**
 * @module
 * Sends usage events to the queue without holding the response: `waitUntil` keeps the isolate
 * alive until the send completes. A failed send is logged (metadata only), never thrown.
 */
import type { UsageEvent } from "./event";

export function emitUsage(queue: Queue<UsageEvent>, ctx: { waitUntil(p: Promise<unknown>): void }, event: UsageEvent | Promise<UsageEvent>): void {
  ctx.waitUntil(
    Promise.resolve(event)
      .then((e) => queue.send(e, { contentType: "json" }))
      .catch((err: unknown) => console.error("usage event not sent", { error: err instanceof Error ? err.message : String(err) })),
  );
}
