/**
 * @module
 * What travels on the `usage-events` queue (the USAGE_EVENTS binding), typed as the consumer
 * (workers/consumers.ts) accepts it. Producers send one kind only: the JSON text of a pack
 * envelope (src/usage/emit.ts) whose messages are request messages (usage event and log record
 * of one request, src/logging/emit.ts). The other forms are what earlier versions sent, or tests
 * send: still accepted, so a deploy never strands messages already queued.
 */
import type { RequestMessage } from "../logging/emit";
import type { LogRecord } from "../logging/tier";
import type { UsageEvent } from "./event";

/** Several queue messages sent as one (see src/usage/emit.ts). */
export interface PackedMessages<T = unknown> {
  type: "pack";
  messages: T[];
}

/** One message inside a pack, or sent on its own by earlier versions. */
export type UsageQueueMessage = RequestMessage | LogRecord | UsageEvent;

/** A queue message body: a pack's JSON text (what producers send), or an object form. */
export type UsageQueueBody = string | UsageQueueMessage | PackedMessages<UsageQueueMessage>;
