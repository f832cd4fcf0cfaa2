/**
 * @module
 * Records the consumer could not store, set aside in `ingest_rejects` with the reason: a usage
 * event or request log with a missing or malformed field (./storable.ts), or a queue message that
 * is not JSON. Finance and auditors read them at GET /admin/v1/usage/rejects; nothing the gateway
 * counted disappears without a trace, and one bad record no longer blocks or silently shrinks its
 * batch. Keyed by kind and a SHA-256 of the stored body, so a redelivered batch adds nothing.
 *
 * What is kept follows the log tiers: usage events carry no content and are kept whole; a log
 * record is kept without its `bodies` (prompts and answers never land in D1); a message that is
 * not JSON could hold anything, so only its size and digest are kept.
 */
import { sha256Hex } from "../config/secrets";
import { insertNewRows, type Cell } from "../db/multi-row";
import type { Env } from "../env";
import { raiseAlert } from "../operations/alerts";

export type RejectKind = "usage" | "log" | "message";

export interface IngestReject {
  kind: RejectKind;
  /** What is stored: JSON of the record (logs without bodies), or a size note for a message. */
  body: string;
  reason: string;
  request_id: string | null;
  team: string | null;
}

const COLUMNS = ["kind", "digest", "received_at", "request_id", "team", "reason", "body"] as const;

function field(record: unknown, key: string): string | null {
  const v = record && typeof record === "object" ? (record as Record<string, unknown>)[key] : undefined;
  return typeof v === "string" ? v.slice(0, 128) : null;
}

/**
 * A usage event or log record that cannot be stored, as a reject (a log record loses its bodies).
 * @example recordReject("usage", { request_id: "r1", cost_nusd: null }, "cost_nusd: ...").request_id === "r1"
 */
export function recordReject(kind: "usage" | "log", record: unknown, reason: string): IngestReject {
  let kept = record;
  if (kind === "log" && record && typeof record === "object" && "bodies" in record) {
    const { bodies: _dropped, ...rest } = record as Record<string, unknown>;
    kept = { ...rest, bodies_dropped: true };
  }
  return { kind, body: JSON.stringify(kept) ?? "null", reason, request_id: field(record, "request_id"), team: field(record, "team") };
}

/**
 * A queue message that is not JSON: its size only (its text could be anything, a prompt included).
 * The digest of the whole text still tells two such messages apart.
 */
export async function messageReject(text: string): Promise<IngestReject> {
  return { kind: "message", body: JSON.stringify({ chars: text.length, sha256: await sha256Hex(text) }), reason: "message is not JSON", request_id: null, team: null };
}

/**
 * Writes rejects once each (a redelivery finds them there and adds nothing) and, when any were
 * new, raises a `usage_records_rejected` alert: usage that cannot be stored is money not counted,
 * which the platform team should hear about without polling. One alert per distinct first reason
 * an hour, so a producer bug that rejects every event does not raise one per batch.
 * @example await writeRejects(env, [recordReject("usage", event, "ts: ...")]);
 */
export async function writeRejects(env: Env, rejects: readonly IngestReject[], now = new Date()): Promise<number> {
  if (rejects.length === 0) return 0;
  const receivedAt = now.toISOString();
  const rows: Cell[][] = [];
  for (const r of rejects) rows.push([r.kind, await sha256Hex(r.body), receivedAt, r.request_id, r.team, r.reason, r.body]);
  const results = await env.DB.batch(insertNewRows(env.DB, "ingest_rejects", COLUMNS, rows));
  const fresh = results.reduce((n, r) => n + (r.meta.changes ?? 0), 0);
  if (fresh === 0) return 0;
  console.error("usage consumer set records aside", { count: fresh, kinds: [...new Set(rejects.map((r) => r.kind))], first: rejects[0].reason });
  try {
    await alertRejects(env, rejects, fresh, now);
  } catch (err) {
    // The rejects are stored; a failed alert must not send the slice round again.
    console.warn("rejects alert not raised", { error: err instanceof Error ? err.message : String(err) });
  }
  return fresh;
}

async function alertRejects(env: Env, rejects: readonly IngestReject[], fresh: number, now: Date): Promise<void> {
  const firstReason = rejects[0].reason;
  const hourAgo = new Date(now.getTime() - 3_600_000).toISOString();
  const recent = await env.DB.prepare("SELECT 1 FROM alerts WHERE kind = 'usage_records_rejected' AND ts > ? AND json_extract(evidence, '$.first_reason') = ? LIMIT 1")
    .bind(hourAgo, firstReason)
    .first();
  if (recent) return;
  const teams = [...new Set(rejects.map((r) => r.team).filter((t): t is string => t !== null))];
  await raiseAlert(env, {
    kind: "usage_records_rejected",
    severity: rejects.some((r) => r.kind === "usage") ? "critical" : "warning",
    title: `Usage consumer set ${fresh} record(s) aside: ${firstReason}`,
    // Ids and reasons only: never a record's content.
    evidence: {
      first_reason: firstReason,
      count: fresh,
      kinds: [...new Set(rejects.map((r) => r.kind))],
      request_ids: rejects.map((r) => r.request_id).filter((id): id is string => id !== null).slice(0, 20),
      read_at: "/admin/v1/usage/rejects",
    },
    ...(teams.length === 1 ? { team: teams[0] } : {}),
  });
}
