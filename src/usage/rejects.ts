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
 * Writes rejects once each (a redelivery finds them there and adds nothing).
 * @example await writeRejects(env.DB, [recordReject("usage", event, "ts: ...")]);
 */
export async function writeRejects(db: D1Database, rejects: readonly IngestReject[], now = new Date()): Promise<void> {
  if (rejects.length === 0) return;
  const receivedAt = now.toISOString();
  const rows: Cell[][] = [];
  for (const r of rejects) rows.push([r.kind, await sha256Hex(r.body), receivedAt, r.request_id, r.team, r.reason, r.body]);
  await db.batch(insertNewRows(db, "ingest_rejects", COLUMNS, rows));
  console.error("usage consumer set records aside", { count: rejects.length, kinds: [...new Set(rejects.map((r) => r.kind))], first: rejects[0].reason });
}
