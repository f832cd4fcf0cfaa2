/**
 * @module
 * The log consumer: packs a batch's inline bodies into one R2 segment per (data class, expiry
 * day) (see ./segment.ts) and writes the metadata rows to D1 (inserted once by request id),
 * so redelivered batches change nothing: a redelivery rebuilds the same segment key with the same
 * bytes. It re-checks the tier rule: a restricted record's bodies are dropped here too, never
 * written. Also the retention purge, which deletes rows, whole-object bodies and segments.
 */
import type { DataClass } from "../config/schemas";
import { D1_MAX_PARAMS, insertNewRows, type Cell } from "../db/multi-row";
import type { Env } from "../env";
import { SEGMENT_CONTENT_TYPE, SEGMENT_KEY_RE, buildSegments, type SegmentSlice } from "./segment";
import { RETENTION_DAYS, keepsBodies, type LogRecord } from "./tier";

type LogEnv = Pick<Env, "DB" | "BLOBS">;

const LOG_COLUMNS = [
  "request_id", "ts", "team", "workload", "key_id", "model", "provider", "data_class", "status", "tokens_in", "tokens_out", "cache",
  "dlp_types", "body_key", "body_offset", "body_bytes", "expires_at", "client_request_id",
] as const;

/** Keys per lookup: D1's parameter limit, less room for the lookup's own extra arguments. */
const PARAM_BATCH = D1_MAX_PARAMS - 10;

/**
 * @example await writeLogs(env, records);
 */
export async function writeLogs(env: LogEnv, records: LogRecord[]): Promise<void> {
  if (records.length === 0) return;
  const segments = await buildSegments(records);
  // One put per segment, not per record. All puts land before the rows: a row never points at a
  // segment that does not exist yet. A crash in between leaves a segment no row references;
  // the redelivered batch rewrites it (same key, same bytes), or, if regrouped, the purge's
  // past-day sweep deletes it (see sweepOrphanSegments).
  await Promise.all(
    segments.map((s) =>
      env.BLOBS.put(s.key, s.bytes, {
        httpMetadata: { contentType: SEGMENT_CONTENT_TYPE },
        // No team or request id here: a segment mixes teams; the index line names the requests.
        customMetadata: { data_class: s.dataClass, records: String(s.requestIds.length), index_bytes: String(s.indexBytes) },
      }),
    ),
  );
  const slices = new Map<string, SegmentSlice>();
  for (const s of segments) for (const [id, slice] of s.slices) slices.set(id, slice);

  const rows: Cell[][] = [];
  for (const r of records) {
    // Defaults: a large body the edge already wrote whole (body_offset NULL), or no body.
    let key: string | null = r.body_key ?? null;
    let offset: number | null = null;
    let bytes: number | null = r.body_bytes ?? null;
    const slice = slices.get(r.request_id);
    if (!keepsBodies(r.data_class)) {
      key = null;
      bytes = null;
    } else if (slice) {
      key = slice.key;
      offset = slice.offset;
      bytes = slice.length;
    }
    rows.push([
      r.request_id, r.ts, r.team, r.workload, r.key_id, r.model, r.provider, r.data_class, r.status, r.tokens_in, r.tokens_out, r.cache,
      r.dlp_types.length ? JSON.stringify(r.dlp_types) : null, key, offset, bytes, r.expires_at, r.client_request_id ?? null,
    ]);
  }
  // One batch is one transaction: all rows of a segment appear together or not at all, which the
  // purge's "no live row references it" test relies on.
  await env.DB.batch(insertNewRows(env.DB, "request_logs", LOG_COLUMNS, rows));
}

/** Of `keys`, those still referenced by some row matching `extra` (bound after the keys). */
async function referencedKeys(db: D1Database, keys: string[], extra = "", ...args: unknown[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < keys.length; i += PARAM_BATCH) {
    const part = keys.slice(i, i + PARAM_BATCH);
    const rows = await db
      .prepare(`SELECT DISTINCT body_key FROM request_logs WHERE body_key IN (${part.map(() => "?").join(",")}) ${extra}`)
      .bind(...part, ...args)
      .all<{ body_key: string }>();
    for (const r of rows.results) out.add(r.body_key);
  }
  return out;
}

/**
 * Deletes log rows past their retention and their R2 bodies, in bounded rounds, then sweeps
 * segments no row references from past days.
 *
 * Order, and why a crash anywhere is safe (the same "R2 first" rule as for whole objects):
 * - A whole-object body (body_offset NULL) is deleted, then its row.
 * - A segment is deleted only when no row referencing it is still live (expires_at > cutoff),
 *   then its expired rows. A crash after the R2 delete leaves expired rows pointing at nothing;
 *   the next run deletes them (deleting a missing key is a no-op). So a live row never loses its
 *   body, and no body outlives the rows that could purge it.
 * - The only way to get a segment without rows is the writer crashing between put and D1 batch
 *   with a redelivery that grouped differently; {@link sweepOrphanSegments} covers that.
 * @example await purgeExpiredLogs(env, Date.now()) // → number of rows purged
 */
export async function purgeExpiredLogs(env: LogEnv, now: number, maxRounds = 50): Promise<number> {
  const cutoff = new Date(now).toISOString();
  let purged = 0;
  for (let round = 0; round < maxRounds; round++) {
    const rows = await env.DB.prepare("SELECT request_id, body_key, body_offset FROM request_logs WHERE expires_at <= ? LIMIT 500")
      .bind(cutoff)
      .all<{ request_id: string; body_key: string | null; body_offset: number | null }>();
    if (rows.results.length === 0) break;
    const whole = rows.results.filter((r) => r.body_key && r.body_offset === null).map((r) => r.body_key!);
    const segments = [...new Set(rows.results.filter((r) => r.body_key && r.body_offset !== null).map((r) => r.body_key!))];
    // Rows of one segment share an expiry day but not a time: keep the segment while any is live.
    const live = await referencedKeys(env.DB, segments, "AND expires_at > ?", cutoff);
    const keys = [...whole, ...segments.filter((k) => !live.has(k))];
    // R2 first: a crash between the two leaves a row that the next run retries, never an orphan body.
    if (keys.length) await env.BLOBS.delete(keys);
    await env.DB.batch(rows.results.map((r) => env.DB.prepare("DELETE FROM request_logs WHERE request_id = ?").bind(r.request_id)));
    purged += rows.results.length;
  }
  await sweepOrphanSegments(env, cutoff.slice(0, 10));
  return purged;
}

/**
 * Deletes segments that no row references, under expiry days strictly before `cutoffDay`.
 * Every row of such a segment has expired, so none can still be on its way in, except by a
 * redelivery days late, whose rows would be purged at once anyway. Today's day is skipped: a
 * segment may be between its put and its rows. Only keys matching the strict segment pattern are
 * touched: per-request bodies share these day prefixes (by request day) and stay with their rows.
 * Costs a few R2 list calls per class and day prefix, once a day.
 * @example await sweepOrphanSegments(env, "2026-07-01") // → segments deleted
 */
export async function sweepOrphanSegments(env: LogEnv, cutoffDay: string, maxPages = 100): Promise<number> {
  let deleted = 0;
  let pages = 0;
  const classes = (Object.keys(RETENTION_DAYS) as DataClass[]).filter(keepsBodies);
  for (const dataClass of classes) {
    const days: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await env.BLOBS.list({ prefix: `logs/${dataClass}/`, delimiter: "/", cursor });
      pages++;
      for (const p of page.delimitedPrefixes) {
        const day = p.slice(-11, -1);
        if (/^\d{4}-\d{2}-\d{2}$/.test(day) && day < cutoffDay) days.push(p);
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor && pages < maxPages);
    for (const prefix of days) {
      cursor = undefined;
      do {
        const page = await env.BLOBS.list({ prefix: `${prefix}seg-`, cursor });
        pages++;
        const keys = page.objects.map((o) => o.key).filter((k) => SEGMENT_KEY_RE.test(k));
        const referenced = await referencedKeys(env.DB, keys);
        const orphans = keys.filter((k) => !referenced.has(k));
        if (orphans.length) await env.BLOBS.delete(orphans);
        deleted += orphans.length;
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor && pages < maxPages);
    }
  }
  return deleted;
}
