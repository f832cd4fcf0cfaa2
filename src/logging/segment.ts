/**
 * @module
 * Log segments: the inline bodies of one queue-consumer batch packed into ONE R2 object per
 * (data class, expiry day), instead of one object per request (an R2 put is a billed Class A
 * operation and was ~20% of the gateway's CPU under load). A D1 row points at its slice by
 * `body_key` + `body_offset` + `body_bytes`; readers use a ranged get.
 *
 * Layout (NDJSON, UTF-8): line 0 is an index `{"segment":1,"request_ids":[...]}` naming every
 * request whose bodies the object holds (the restricted-content audit reads it with a ranged get
 * of `index_bytes`, so it can account for every body without trusting D1); then one line per
 * record, exactly `JSON.stringify(record.bodies)`. Offsets and lengths count UTF-8 bytes, never
 * JS string length, since bodies may hold any Unicode.
 *
 * Determinism is what makes redelivery safe: records are deduplicated and sorted by request id,
 * and the key hashes that sorted id list, so a redelivered batch rebuilds the same key with the
 * same bytes, and rows kept by the insert-once write still point at the right slices.
 */
import type { DataClass } from "../config/schemas";
import { sha256Hex } from "../config/secrets";
import { keepsBodies, type LogRecord } from "./tier";

export const SEGMENT_CONTENT_TYPE = "application/x-ndjson";

/** Keys of segments: `logs/<class>/<expiry day>/seg-<32 hex>.ndjson`. Strict, so a per-request key can never match. */
export const SEGMENT_KEY_RE = /^logs\/([a-z]+)\/(\d{4}-\d{2}-\d{2})\/seg-[0-9a-f]{32}\.ndjson$/;

/** Where one record's bodies sit inside a segment. */
export interface SegmentSlice {
  key: string;
  offset: number;
  length: number;
}

export interface Segment {
  key: string;
  dataClass: DataClass;
  /** Expiry day (UTC, YYYY-MM-DD) shared by every record in it: the segment expires as a whole. */
  day: string;
  bytes: Uint8Array;
  /** Bytes of the index line (with its newline); the audit reads exactly this range. */
  indexBytes: number;
  /** Sorted, distinct request ids, as in the index. */
  requestIds: string[];
  slices: Map<string, SegmentSlice>;
}

/** The index line at the start of every segment. */
export interface SegmentIndex {
  segment: 1;
  request_ids: string[];
}

const encoder = new TextEncoder();

/**
 * Segment key of a set of request ids (sorted, distinct) of one class and expiry day.
 * @example await segmentKey("public", "2026-08-01", ["a", "b"]) // → "logs/public/2026-08-01/seg-<32 hex>.ndjson"
 */
export async function segmentKey(dataClass: DataClass, day: string, sortedIds: string[]): Promise<string> {
  return `logs/${dataClass}/${day}/seg-${(await sha256Hex(sortedIds.join("\n"))).slice(0, 32)}.ndjson`;
}

/** Code-unit order, not localeCompare: the order (hence key and offsets) must not depend on the runtime's locale. */
const byId = (a: LogRecord, b: LogRecord): number => (a.request_id < b.request_id ? -1 : a.request_id > b.request_id ? 1 : 0);

async function buildOne(dataClass: DataClass, day: string, records: LogRecord[]): Promise<Segment> {
  records.sort(byId);
  const requestIds = records.map((r) => r.request_id);
  const key = await segmentKey(dataClass, day, requestIds);
  const index: SegmentIndex = { segment: 1, request_ids: requestIds };
  const parts = [encoder.encode(`${JSON.stringify(index)}\n`)];
  const indexBytes = parts[0].byteLength;
  const slices = new Map<string, SegmentSlice>();
  let offset = indexBytes;
  for (const r of records) {
    const body = encoder.encode(JSON.stringify(r.bodies));
    slices.set(r.request_id, { key, offset, length: body.byteLength });
    parts.push(body, encoder.encode("\n"));
    offset += body.byteLength + 1;
  }
  const bytes = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  return { key, dataClass, day, bytes, indexBytes, requestIds, slices };
}

/**
 * Packs the inline bodies of a batch into segments, one per (class, expiry day). Restricted
 * records are never packed (the tier rule, re-checked here), nor records without inline bodies
 * (metadata only, or large bodies the edge already put in R2). A request id seen twice in one
 * batch is packed once, the first occurrence, as the insert-once write keeps the first row.
 * @example const segments = await buildSegments(records); // segments.length ≤ number of (class, day) pairs
 */
export async function buildSegments(records: LogRecord[]): Promise<Segment[]> {
  const groups = new Map<string, { dataClass: DataClass; day: string; records: LogRecord[] }>();
  const seen = new Set<string>();
  for (const r of records) {
    if (!keepsBodies(r.data_class) || r.bodies === undefined || seen.has(r.request_id)) continue;
    seen.add(r.request_id);
    const day = r.expires_at.slice(0, 10);
    const id = `${r.data_class}/${day}`;
    const group = groups.get(id) ?? { dataClass: r.data_class, day, records: [] };
    group.records.push(r);
    groups.set(id, group);
  }
  return Promise.all([...groups.values()].map((g) => buildOne(g.dataClass, g.day, g.records)));
}

/** The body reference columns of a request_logs row. */
export interface BodyRef {
  body_key: string | null;
  body_offset: number | null;
  body_bytes: number | null;
}

/**
 * Reads a row's bodies: the whole object when `body_offset` is NULL (large bodies the edge wrote
 * itself), else the row's byte range of its segment. Null when there is none (purged, or a row
 * with an offset but no length, which the writer never produces).
 * @example const obj = await readBody(env.BLOBS, row); const bodies = obj && (await obj.json());
 */
export async function readBody(bucket: R2Bucket, ref: BodyRef): Promise<R2ObjectBody | null> {
  if (!ref.body_key) return null;
  if (ref.body_offset === null) return bucket.get(ref.body_key);
  if (ref.body_bytes === null) return null;
  return bucket.get(ref.body_key, { range: { offset: ref.body_offset, length: ref.body_bytes } });
}

/**
 * Request ids a segment holds, from its index line (a ranged get of `index_bytes`). Undefined when
 * the object is gone or the index is missing or malformed: the caller cannot account for it.
 */
export async function readSegmentIndex(bucket: R2Bucket, key: string, indexBytes: number): Promise<string[] | undefined> {
  if (!Number.isSafeInteger(indexBytes) || indexBytes <= 0) return undefined;
  const obj = await bucket.get(key, { range: { offset: 0, length: indexBytes } });
  if (!obj) return undefined;
  try {
    const index = JSON.parse(await obj.text()) as Partial<SegmentIndex>;
    const ids = index.request_ids;
    return index.segment === 1 && Array.isArray(ids) && ids.every((i) => typeof i === "string") ? ids : undefined;
  } catch {
    return undefined;
  }
}
