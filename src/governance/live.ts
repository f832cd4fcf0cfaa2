/**
 * @module
 * Reads the governance analyses need from D1: recorded request metadata for the what-if replay
 * (types and counts, never values) and the providers each catalog model routes to.
 */
import type { ModelPut } from "../config/schemas";
import type { Env } from "../env";
import { replayRecord } from "./replay-policy";
import type { ReplayRecord } from "./whatif";
import { configDb } from "../config/control-db";

/** Upper bound of rows one replay reads (a month of a busy org; older rows are left out). */
export const MAX_REPLAY_ROWS = 200_000;

/** Request metadata of [since, until), oldest first, optionally of one workload. */
export async function replayRecords(env: Pick<Env, "DB">, range: { since: string; until?: string; workload?: string }): Promise<ReplayRecord[]> {
  const until = range.until ?? "9999";
  const sql = `SELECT ts, workload, model, provider, region, cost_nusd, detail FROM usage_events
    WHERE ts >= ? AND ts < ? AND workload IS NOT NULL ${range.workload ? "AND workload = ?" : ""} ORDER BY ts LIMIT ${MAX_REPLAY_ROWS}`;
  const binds = range.workload ? [range.since, until, range.workload] : [range.since, until];
  const rows = await env.DB.prepare(sql).bind(...binds).all<{ ts: string; workload: string; model: string | null; provider: string | null; region: string; cost_nusd: number; detail: string | null }>();
  return rows.results.map(replayRecord);
}

/** Catalog model → the providers its targets name. */
export async function providersByModel(env: Pick<Env, "DB">): Promise<Map<string, string[]>> {
  const rows = await configDb(env).prepare("SELECT id, spec FROM models").all<{ id: string; spec: string }>();
  return new Map(rows.results.map((r) => [r.id, [...new Set((JSON.parse(r.spec) as ModelPut).targets.map((t) => t.provider))]]));
}
