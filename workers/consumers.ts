/**
 * @module
 * Queue consumers: `usage-events*` → the idempotent usage writer; `eval-jobs*` → evaluators.
 * A batch that fails to write is retried whole (safe: the writer is idempotent).
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
import { handleEvalBatch } from "../src/workloads/jobs";

/**
 * Producers send JSON text (serialised once, src/usage/emit.ts); objects are what earlier
 * versions and tests send. A body that is not JSON can never be written: it is logged (its size
 * only) and dropped, so it cannot block its batch through endless retries.
 */
function decode(body: UsageQueueBody): Exclude<UsageQueueBody, string> | undefined {
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body) as Exclude<UsageQueueBody, string>;
  } catch {
    console.error("usage-events message is not JSON; dropped", { bytes: body.length });
    return undefined;
  }
}

export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue.startsWith("usage-events")) {
    // Producers pack many requests into one message (`type: "pack"`, src/usage/emit.ts); each
    // request carries its usage event and log record (`type: "request"`). Unpacked requests,
    // bare usage events and `request_log` records are what earlier versions sent; still accepted.
    const usage: UsageEvent[] = [];
    const logs: LogRecord[] = [];
    const take = (body: UsageQueueMessage) => {
      if (isRequestMessage(body)) {
        usage.push(body.usage);
        logs.push(body.log);
      } else if (isLogRecord(body)) logs.push(body);
      else usage.push(body);
    };
    for (const message of batch.messages) {
      const body = decode(message.body as UsageQueueBody);
      if (body === undefined) continue;
      if (isPack(body)) body.messages.forEach(take);
      else take(body);
    }
    await writeUsage(env.DB, usage);
    await writeLogs(env, logs);
    // OpenTelemetry traces and metrics for the batch (off unless configured; never fails the batch).
    await exportTelemetry(env, usage);
    batch.ackAll();
    return;
  }
  if (batch.queue.startsWith("eval-jobs")) {
    // Golden/adversarial examples and production samples: scored through the pipeline (src/workloads/jobs.ts).
    await handleEvalBatch(batch, env);
    return;
  }
  console.warn("message for an unknown queue", { queue: batch.queue });
  batch.ackAll();
}
