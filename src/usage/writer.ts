/**
 * @module
 * The usage writer: turns a batch of usage events into D1 statements that are idempotent under
 * redelivery, in one transaction (a D1 batch):
 * - events are inserted once (a row already there is skipped) by the gateway's request id (unique per request, never the client's), in bulk (src/db/multi-row.ts: the rows as one
 *   JSON parameter), each stamped with this write's random `ingest_id`;
 * - then one statement adds to the daily rollup exactly the rows stamped with that id, i.e. the
 *   rows this write inserted. A redelivered batch inserts nothing new, so it adds nothing.
 * Two statements per event (insert, then a rollup guarded by `changes()`) did the same job; this
 * form costs two statements per batch, which matters because the consumer shares the machine
 * with the data plane.
 */
import { insertNewRows, type Cell } from "../db/multi-row";
import type { UsageEvent } from "./event";

const COLUMNS = [
  "request_id", "ts", "team", "workload", "key_id", "model", "provider", "region", "tokens_in", "tokens_out",
  "cost_nusd", "latency_ms", "ttfb_ms", "status", "error_code", "data_class", "cache", "estimated", "route", "detail", "ingest_id",
  "client_request_id", "forwarded_from",
] as const;

function rowValues(event: UsageEvent, ingestId: string): Cell[] {
  return [
    event.request_id, event.ts, event.team, event.workload, event.key_id, event.model, event.provider, event.region,
    event.tokens_in, event.tokens_out, event.cost_nusd, event.latency_ms, event.ttfb_ms, event.status, event.error_code,
    event.data_class, event.cache, event.estimated ? 1 : 0, event.route, event.detail ? JSON.stringify(event.detail) : null, ingestId,
    event.client_request_id ?? null, event.forwarded_from ?? null,
  ];
}

/**
 * The statements of one idempotent write: bulk inserts, then the rollup of what they added.
 * @example await db.batch(usageStatements(db, events, crypto.randomUUID()));
 */
export function usageStatements(db: D1Database, events: UsageEvent[], ingestId: string): D1PreparedStatement[] {
  const statements = insertNewRows(db, "usage_events", COLUMNS, events.map((e) => rowValues(e, ingestId)));
  statements.push(
    db
      .prepare(
        `INSERT INTO usage_daily (day, team, workload, model, provider, requests, errors, cache_hits, tokens_in, tokens_out, cost_nusd)
         SELECT substr(ts, 1, 10), coalesce(team, '-'), coalesce(workload, '-'), coalesce(model, '-'), coalesce(provider, '-'), count(*),
                sum(CASE WHEN status >= 400 OR error_code IS NOT NULL THEN 1 ELSE 0 END), sum(CASE WHEN cache = 'hit' THEN 1 ELSE 0 END),
                sum(tokens_in), sum(tokens_out), sum(cost_nusd)
         FROM usage_events WHERE ingest_id = ?1 GROUP BY 1, 2, 3, 4, 5
         ON CONFLICT (day, team, workload, model, provider) DO UPDATE SET
           requests = requests + excluded.requests, errors = errors + excluded.errors, cache_hits = cache_hits + excluded.cache_hits,
           tokens_in = tokens_in + excluded.tokens_in, tokens_out = tokens_out + excluded.tokens_out, cost_nusd = cost_nusd + excluded.cost_nusd`,
      )
      .bind(ingestId),
  );
  return statements;
}

/**
 * Writes a batch in one D1 transaction.
 * @example await writeUsage(env.DB, batch.messages.map((m) => m.body));
 */
export async function writeUsage(db: D1Database, events: UsageEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.batch(usageStatements(db, events, crypto.randomUUID()));
}
