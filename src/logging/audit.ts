/**
 * @module
 * The restricted-content audit: scans the stores for anything a restricted request may have left
 * behind and writes a report (D1 `restricted_audits`); a violation raises a critical alert.
 *
 * What it checks, and why that is a proof rather than a sample:
 * - R2: every object is listed (all prefixes, all pages). An object tagged or keyed as restricted,
 *   or holding bodies of a restricted request (per usage_events and request_logs), is a
 *   violation. Bodies of restricted requests cannot hide under another class's prefix: a
 *   per-request object names its request (metadata or key), and a batch segment names every
 *   request it holds in its index line, read here with a ranged get. A segment whose index cannot
 *   be read is a violation too, since its contents cannot be accounted for.
 * - D1: no request_logs row of a restricted request points at a body.
 * - Cache: restricted requests are refused at the cache's only write path (cacheNamespace returns
 *   none), and the Cache API cannot be listed; the report says so instead of claiming a scan.
 * Violations name locations (keys, ids), never content.
 */
import { D1_MAX_PARAMS } from "../db/multi-row";
import type { Env } from "../env";
import { raiseAlert } from "../operations/alerts";
import { SEGMENT_KEY_RE, readSegmentIndex } from "./segment";
import { requestIdOfKey } from "./tier";

export interface AuditViolation {
  store: "r2" | "d1";
  location: string;
  reason: string;
}

export interface AuditReport {
  id: string;
  ts: string;
  ok: boolean;
  checks: Array<{ name: string; scanned: number; violations: number; note?: string }>;
  violations: AuditViolation[];
}

/** Ids per lookup: each is bound twice (two tables), within D1's parameter limit. */
const ID_BATCH = Math.floor(D1_MAX_PARAMS / 2) - 5;

async function restrictedIds(db: D1Database, ids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += ID_BATCH) {
    const part = ids.slice(i, i + ID_BATCH);
    const marks = part.map(() => "?").join(",");
    const rows = await db
      .prepare(`SELECT request_id FROM usage_events WHERE data_class = 'restricted' AND request_id IN (${marks})
                UNION SELECT request_id FROM request_logs WHERE data_class = 'restricted' AND request_id IN (${marks})`)
      .bind(...part, ...part)
      .all<{ request_id: string }>();
    for (const r of rows.results) out.add(r.request_id);
  }
  return out;
}

/**
 * Runs the audit, stores the report, alerts on violations.
 * @example const report = await runRestrictedAudit(env, Date.now());
 */
export async function runRestrictedAudit(env: Env, now: number): Promise<AuditReport> {
  const violations: AuditViolation[] = [];
  const checks: AuditReport["checks"] = [];

  let scanned = 0;
  let segmentRecords = 0;
  const byRequest = new Map<string, string>();
  let cursor: string | undefined;
  const before = violations.length;
  do {
    const page = await env.BLOBS.list({ cursor, include: ["customMetadata"], limit: 1000 });
    for (const o of page.objects) {
      scanned++;
      if (o.customMetadata?.data_class === "restricted") violations.push({ store: "r2", location: o.key, reason: "object tagged data_class=restricted" });
      else if (o.key.startsWith("logs/restricted/")) violations.push({ store: "r2", location: o.key, reason: "object under the restricted log prefix" });
      if (SEGMENT_KEY_RE.test(o.key)) {
        const ids = await readSegmentIndex(env.BLOBS, o.key, Number(o.customMetadata?.index_bytes));
        if (!ids) violations.push({ store: "r2", location: o.key, reason: "segment without a readable index: its contents cannot be accounted for" });
        for (const id of ids ?? []) byRequest.set(id, o.key);
        segmentRecords += ids?.length ?? 0;
        continue;
      }
      const rid = o.customMetadata?.request_id ?? requestIdOfKey(o.key);
      if (rid) byRequest.set(rid, o.key);
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  for (const rid of await restrictedIds(env.DB, [...byRequest.keys()])) {
    violations.push({ store: "r2", location: byRequest.get(rid)!, reason: "object holds content of a restricted request" });
  }
  checks.push({ name: "r2_objects", scanned, violations: violations.length - before, note: `${segmentRecords} request bodies inside batch segments, checked by their index` });

  const d1Before = violations.length;
  const rows = await env.DB.prepare("SELECT request_id FROM request_logs WHERE data_class = 'restricted' AND (body_key IS NOT NULL OR body_offset IS NOT NULL OR body_bytes IS NOT NULL) LIMIT 1000").all<{ request_id: string }>();
  for (const r of rows.results) violations.push({ store: "d1", location: `request_logs/${r.request_id}`, reason: "restricted log row points at a body" });
  const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM request_logs WHERE data_class = 'restricted'").first<{ n: number }>();
  checks.push({ name: "d1_request_logs", scanned: count?.n ?? 0, violations: violations.length - d1Before });
  checks.push({ name: "cache", scanned: 0, violations: 0, note: "restricted requests are refused at the only cache write path; the Cache API cannot be listed" });

  const report: AuditReport = { id: `audit_${crypto.randomUUID()}`, ts: new Date(now).toISOString(), ok: violations.length === 0, checks, violations: violations.slice(0, 200) };
  await env.DB.prepare("INSERT INTO restricted_audits (id, ts, ok, report) VALUES (?, ?, ?, ?)").bind(report.id, report.ts, report.ok ? 1 : 0, JSON.stringify(report)).run();
  if (!report.ok) {
    await raiseAlert(env, {
      kind: "restricted_content_found",
      severity: "critical",
      title: `Restricted-content audit found ${violations.length} violation(s)`,
      evidence: { audit: report.id, violations: report.violations.slice(0, 20) },
    });
  }
  return report;
}
