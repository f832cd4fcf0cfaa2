/**
 * @module
 * Queue consumers: `usage-events*` → the idempotent usage writer; `eval-jobs*` → evaluators.
 * A batch that fails to write is retried whole (safe: the writer is idempotent).
 */
import type { Env } from "../src/env";
import type { UsageEvent } from "../src/usage/event";
import { writeUsage } from "../src/usage/writer";
import { isLogRecord } from "../src/logging/tier";
import { writeLogs } from "../src/logging/writer";

export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue.startsWith("usage-events")) {
    // Request logs share this queue with usage events; `type: "request_log"` tells them apart.
    const bodies = batch.messages.map((m) => m.body);
    await writeUsage(env.DB, bodies.filter((b) => !isLogRecord(b)) as UsageEvent[]);
    await writeLogs(env, bodies.filter(isLogRecord));
    batch.ackAll();
    return;
  }
  if (batch.queue.startsWith("eval-jobs")) {
    // Evaluators arrive with the workloads issue; until then jobs are acknowledged and dropped.
    batch.ackAll();
    return;
  }
  console.warn("message for an unknown queue", { queue: batch.queue });
  batch.ackAll();
}
