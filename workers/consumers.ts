/**
 * @module
 * Queue consumers: `usage-events*` → the idempotent usage writer; `eval-jobs*` → evaluators.
 * Usage batches are written in slices, each acknowledged once written; when a write fails (D1 or
 * R2 unavailable), the slice and the rest of the batch are retried later with a growing delay
 * (safe: the writers are idempotent), and after `max_retries` they move to the dead-letter
 * queue, whose consumer is this same writer (wrangler.toml): an outage of hours loses nothing.
 * A record that cannot become a row, or a message that is not JSON, is set aside in
 * `ingest_rejects` with the reason (src/usage/rejects.ts): never dropped silently, never
 * blocking its batch.
 */
import type { Env } from "../src/env";
import type { UsageEvent } from "../src/usage/event";
import { writeUsage } from "../src/usage/writer";
import { isRequestMessage } from "../src/logging/emit";
import { isPack } from "../src/usage/emit";
import type { UsageQueueBody, UsageQueueMessage } from "../src/usage/messages";
import { isLogRecord, type LogRecord } from "../src/logging/tier";
import { writeLogs } from "../src/logging/writer";
import { exportTelemetry } from "../src/telemetry/export";
import { messageReject, recordReject, writeRejects, type IngestReject } from "../src/usage/rejects";
import { logRejectReason, usageRejectReason } from "../src/usage/storable";
import { handleEvalBatch } from "../src/workloads/jobs";

/**
 * Producers send JSON text (serialised once, src/usage/emit.ts); objects are what earlier
 * versions and tests send. A body that is not JSON can never be written as usage: it is set
 * aside (its size and digest), so it cannot block its batch through endless retries.
 */
function decode(body: UsageQueueBody): Exclude<UsageQueueBody, string> | undefined {
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body) as Exclude<UsageQueueBody, string>;
  } catch {
    return undefined;
  }
}

/**
 * How much of a usage batch is written at once: 128 requests or 512 KB of messages. The
 * consumer shares its isolate's thread with the data plane, and a whole batch (about a second of
 * traffic: ~400 requests and 4 MB of bodies at 10 KB prompts) parsed, segmented and serialised for
 * D1 and R2 in one synchronous stretch held back every request that arrived meanwhile. Each slice
 * is written (idempotently) and its messages acknowledged before the next is parsed.
 */
export const SLICE_REQUESTS = 128;
export const SLICE_CHARS = 512 * 1024;

/** A slice's parsed contents, and the messages that carried them (acknowledged once it is written). */
interface UsageSlice {
  usage: UsageEvent[];
  logs: LogRecord[];
  rejects: Array<IngestReject | Promise<IngestReject>>;
  messages: Message<unknown>[];
  chars: number;
}

const emptySlice = (): UsageSlice => ({ usage: [], logs: [], rejects: [], messages: [], chars: 0 });

async function writeSlice(env: Env, slice: UsageSlice, onWritten: (m: Message<unknown>) => void): Promise<void> {
  await writeRejects(env, await Promise.all(slice.rejects));
  await writeUsage(env.DB, slice.usage);
  await writeLogs(env, slice.logs);
  // OpenTelemetry traces and metrics for the slice (off unless configured; never fails the batch).
  await exportTelemetry(env, slice.usage);
  for (const m of slice.messages) {
    m.ack();
    onWritten(m);
  }
}

/**
 * Seconds before a failed usage message is tried again: 15 s, doubling per attempt, at most an
 * hour. With the queue's 10 attempts that spans about three hours of storage outage before a
 * message moves to the dead-letter queue (which retries it, hourly, for days).
 * @example retryDelaySeconds(1) === 15; retryDelaySeconds(4) === 120; retryDelaySeconds(12) === 3600
 */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(3600, 15 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Usage and logs, slice by slice ({@link SLICE_REQUESTS}). When a slice fails to write, the
 * messages of slices already written stay acknowledged; the failed slice's and the rest are
 * retried after {@link retryDelaySeconds} (an immediate redelivery would meet the same outage).
 */
async function handleUsageBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const written = new Set<Message<unknown>>();
  try {
    await writeUsageBatch(batch, env, (m) => written.add(m));
  } catch (err) {
    const rest = batch.messages.filter((m) => !written.has(m));
    console.error("usage batch not written; retrying later", { messages: rest.length, attempts: rest[0]?.attempts, error: err instanceof Error ? err.message : String(err) });
    for (const m of rest) m.retry({ delaySeconds: retryDelaySeconds(m.attempts) });
  }
}

async function writeUsageBatch(batch: MessageBatch<unknown>, env: Env, onWritten: (m: Message<unknown>) => void): Promise<void> {
  let slice = emptySlice();
  // Producers pack many requests into one message (`type: "pack"`, src/usage/emit.ts); each
  // request carries its usage event and log record (`type: "request"`). Unpacked requests,
  // bare usage events and `request_log` records are what earlier versions sent; still accepted.
  const usage = (event: UsageEvent) => {
    const why = usageRejectReason(event);
    if (why) slice.rejects.push(recordReject("usage", event, why));
    else slice.usage.push(event);
  };
  const log = (record: LogRecord) => {
    const why = logRejectReason(record);
    if (why) slice.rejects.push(recordReject("log", record, why));
    else slice.logs.push(record);
  };
  const take = (body: UsageQueueMessage) => {
    if (isRequestMessage(body)) {
      usage(body.usage);
      log(body.log);
    } else if (isLogRecord(body)) log(body);
    else usage(body);
  };
  for (const message of batch.messages) {
    if (slice.messages.length && (Math.max(slice.usage.length, slice.logs.length) >= SLICE_REQUESTS || slice.chars >= SLICE_CHARS)) {
      await writeSlice(env, slice, onWritten);
      slice = emptySlice();
    }
    const raw = message.body as UsageQueueBody;
    slice.messages.push(message);
    slice.chars += typeof raw === "string" ? raw.length : 0;
    const body = decode(raw);
    if (body === undefined) {
      slice.rejects.push(messageReject(raw as string));
      continue;
    }
    if (isPack(body)) body.messages.forEach(take);
    else take(body);
  }
  await writeSlice(env, slice, onWritten);
}

export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue.startsWith("usage-events")) return handleUsageBatch(batch, env);
  if (batch.queue.startsWith("eval-jobs")) {
    // Golden/adversarial examples and production samples: scored through the pipeline (src/workloads/jobs.ts).
    await handleEvalBatch(batch, env);
    return;
  }
  console.warn("message for an unknown queue", { queue: batch.queue });
  batch.ackAll();
}
