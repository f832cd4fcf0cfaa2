/**
 * @module
 * The usage writer: turns a batch of usage events into D1 statements that are idempotent under
 * redelivery. Each event is `INSERT OR IGNORE`d by request id, and the daily rollup is bumped in
 * the same batch only when that insert actually added a row (`changes() = 1`), so a redelivered
 * batch changes nothing.
 */
import type { UsageEvent } from "./event";

export function usageStatements(db: D1Database, event: UsageEvent): D1PreparedStatement[] {
  const insert = db
    .prepare(
      `INSERT OR IGNORE INTO usage_events (request_id, ts, team, workload, key_id, model, provider, region, tokens_in, tokens_out,
        cost_nusd, latency_ms, ttfb_ms, status, error_code, data_class, cache, estimated, route, detail)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)`,
    )
    .bind(
      event.request_id, event.ts, event.team, event.workload, event.key_id, event.model, event.provider, event.region,
      event.tokens_in, event.tokens_out, event.cost_nusd, event.latency_ms, event.ttfb_ms, event.status, event.error_code,
      event.data_class, event.cache, event.estimated ? 1 : 0, event.route, event.detail ? JSON.stringify(event.detail) : null,
    );
  const rollup = db
    .prepare(
      `INSERT INTO usage_daily (day, team, workload, model, requests, errors, cache_hits, tokens_in, tokens_out, cost_nusd)
       SELECT ?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9 WHERE changes() = 1
       ON CONFLICT (day, team, workload, model) DO UPDATE SET
         requests = requests + 1, errors = errors + excluded.errors, cache_hits = cache_hits + excluded.cache_hits,
         tokens_in = tokens_in + excluded.tokens_in, tokens_out = tokens_out + excluded.tokens_out, cost_nusd = cost_nusd + excluded.cost_nusd`,
    )
    .bind(
      event.ts.slice(0, 10), event.team ?? "-", event.workload ?? "-", event.model ?? "-",
      event.status >= 400 || event.error_code ? 1 : 0, event.cache === "hit" ? 1 : 0, event.tokens_in, event.tokens_out, event.cost_nusd,
    );
  return [insert, rollup];
}

/**
 * Writes a batch in one D1 transaction.
 * @example await writeUsage(env.DB, batch.messages.map((m) => m.body));
 */
export async function writeUsage(db: D1Database, events: UsageEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.batch(events.flatMap((e) => usageStatements(db, e)));
}
