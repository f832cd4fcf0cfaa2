/**
 * @module
 * The log consumer: writes bodies to R2 (idempotent: same key, same bytes) and the metadata row
 * to D1 (`INSERT OR IGNORE` by request id), so redelivered batches change nothing. It re-checks
 * the tier rule: a restricted record's bodies are dropped here too, never written.
 */
import type { Env } from "../env";
import { bodyKey, keepsBodies, type LogRecord } from "./tier";

/**
 * @example await writeLogs(env, records);
 */
export async function writeLogs(env: Pick<Env, "DB" | "BLOBS">, records: LogRecord[]): Promise<void> {
  if (records.length === 0) return;
  const rows: D1PreparedStatement[] = [];
  for (const r of records) {
    let key: string | null = r.body_key ?? null;
    let bytes: number | null = r.body_bytes ?? null;
    if (!keepsBodies(r.data_class)) {
      key = null;
      bytes = null;
    } else if (r.bodies) {
      const json = JSON.stringify(r.bodies);
      key = bodyKey(r.data_class, r.ts, r.request_id);
      bytes = json.length;
      await env.BLOBS.put(key, json, {
        httpMetadata: { contentType: "application/json" },
        customMetadata: { data_class: r.data_class, team: r.team ?? "", request_id: r.request_id },
      });
    }
    rows.push(
      env.DB.prepare(
        `INSERT OR IGNORE INTO request_logs (request_id, ts, team, workload, key_id, model, provider, data_class, status, tokens_in, tokens_out, cache, dlp_types, body_key, body_bytes, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)`,
      ).bind(
        r.request_id, r.ts, r.team, r.workload, r.key_id, r.model, r.provider, r.data_class, r.status, r.tokens_in, r.tokens_out, r.cache,
        r.dlp_types.length ? JSON.stringify(r.dlp_types) : null, key, bytes, r.expires_at,
      ),
    );
  }
  await env.DB.batch(rows);
}

/**
 * Deletes log rows past their retention and their R2 bodies, in bounded rounds.
 * @example await purgeExpiredLogs(env, Date.now()) // → number of rows purged
 */
export async function purgeExpiredLogs(env: Pick<Env, "DB" | "BLOBS">, now: number, maxRounds = 50): Promise<number> {
  const cutoff = new Date(now).toISOString();
  let purged = 0;
  for (let round = 0; round < maxRounds; round++) {
    const rows = await env.DB.prepare("SELECT request_id, body_key FROM request_logs WHERE expires_at <= ? LIMIT 500").bind(cutoff).all<{ request_id: string; body_key: string | null }>();
    if (rows.results.length === 0) break;
    const keys = rows.results.map((r) => r.body_key).filter((k): k is string => !!k);
    // R2 first: a crash between the two leaves a row that the next run retries, never an orphan body.
    if (keys.length) await env.BLOBS.delete(keys);
    await env.DB.batch(rows.results.map((r) => env.DB.prepare("DELETE FROM request_logs WHERE request_id = ?").bind(r.request_id)));
    purged += rows.results.length;
  }
  return purged;
}
