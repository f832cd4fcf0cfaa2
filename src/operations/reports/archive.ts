/**
 * @module
 * A report's life: built from telemetry, rendered, turned into one MIME message, archived in R2
 * (data JSON and the exact message, under a key that includes its sha256, never rewritten) and
 * indexed in D1; then delivered through the `send_email` binding, one envelope per recipient.
 * Delivery claims the row first and records each accepted recipient, so a retry (next cron) sends
 * only to those not yet reached: a report is never lost and never sent twice to anyone.
 */
import type { Env } from "../../env";
import { monthBounds } from "../forecast/dates";
import { buildComplianceReport } from "./compliance-data";
import { buildFinanceReport } from "./finance-data";
import { focusCsv, loadRollups } from "./focus-csv";
import { buildReportMime } from "./mime";
import { renderCompliance } from "./render-compliance";
import { renderFinance } from "./render-finance";
import type { ReportData, ReportKind } from "./types";

export interface ReportRow {
  id: string;
  kind: ReportKind;
  period: string;
  trigger: string;
  created_at: string;
  sha256: string;
  data_key: string;
  mime_key: string;
  recipients: string;
  delivered_to: string;
  status: "pending" | "sent" | "failed" | "skipped";
  message_id: string | null;
  error: string | null;
  attempts: number;
}

/** Delivery attempts before a report stops being retried automatically (it stays listed as failed). */
export const MAX_ATTEMPTS = 50;
const CLAIM_MS = 5 * 60_000;

export function recipientsFor(env: Env, kind: ReportKind): string[] {
  const list = kind === "finance" ? [env.FINANCE_EMAIL] : [env.FINANCE_EMAIL, env.REVIEW_BOARD_EMAIL];
  return [...new Set(list.filter((a): a is string => !!a))];
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function getReport(env: Env, id: string): Promise<ReportRow | null> {
  return env.DB.prepare("SELECT * FROM reports WHERE id = ?").bind(id).first<ReportRow>();
}

/**
 * Builds and archives a report. A cron-triggered report has a fixed id per kind and period, so a
 * repeated cron returns the one already made; on-demand reports get a fresh id each time.
 * @example const row = await createReport(env, { kind: "finance", period: "2026-11", trigger: "cron", now: Date.now() });
 */
export async function createReport(env: Env, opts: { kind: ReportKind; period: string; trigger: string; now: number }): Promise<ReportRow> {
  const id = opts.trigger === "cron" ? `rep_${opts.kind}_${opts.period}` : `rep_${opts.kind}_${opts.period}_${crypto.randomUUID().slice(0, 8)}`;
  const existing = await getReport(env, id);
  if (existing) return existing;
  const data: ReportData = opts.kind === "finance" ? await buildFinanceReport(env, opts.period, opts.now) : await buildComplianceReport(env, opts.period, opts.now);
  const bounds = monthBounds(opts.period);
  const rollups = await loadRollups(env.DB, bounds.first, bounds.last);
  if (data.kind === "finance") data.csv_rows = rollups.length;
  const rendered = data.kind === "finance" ? renderFinance(data) : renderCompliance(data);
  const recipients = recipientsFor(env, opts.kind);
  const from = env.ALERT_FROM_EMAIL ?? "switchyard@switchyard.local";
  const mime = buildReportMime({
    id, from, to: recipients.length ? recipients : [from], subject: rendered.subject, text: rendered.text, html: rendered.html, date: new Date(opts.now),
    attachment: { filename: `switchyard-focus-${opts.period}.csv`, contentType: "text/csv", content: focusCsv(bounds, rollups) },
  });
  const sha256 = await sha256Hex(mime);
  const dataKey = `reports/${id}/${sha256}.json`;
  const mimeKey = `reports/${id}/${sha256}.eml`;
  await env.BLOBS.put(dataKey, JSON.stringify(data), { httpMetadata: { contentType: "application/json" }, customMetadata: { report: id } });
  await env.BLOBS.put(mimeKey, mime, { httpMetadata: { contentType: "message/rfc822" }, sha256, customMetadata: { report: id } });
  const row: ReportRow = {
    id, kind: opts.kind, period: opts.period, trigger: opts.trigger, created_at: new Date(opts.now).toISOString(), sha256, data_key: dataKey, mime_key: mimeKey,
    recipients: JSON.stringify(recipients), delivered_to: "[]", status: recipients.length ? "pending" : "skipped", message_id: null,
    error: recipients.length ? null : "no recipient configured (FINANCE_EMAIL / REVIEW_BOARD_EMAIL)", attempts: 0,
  };
  // A concurrent run of the same cron loses here (primary key) and returns the winner's report.
  const columns = Object.keys(row);
  const inserted = await env.DB.prepare(`INSERT OR IGNORE INTO reports (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`)
    .bind(...Object.values(row)).run();
  return inserted.meta.changes ? row : (await getReport(env, id))!;
}

/**
 * Sends the archived message to every recipient not yet reached. Returns the row as it ends up.
 * @example await deliverReport(env, "rep_finance_2026-11")
 */
export async function deliverReport(env: Env, id: string, now = Date.now()): Promise<ReportRow | null> {
  const claim = await env.DB.prepare(`UPDATE reports SET claimed_until = ? WHERE id = ? AND status IN ('pending', 'failed')
    AND (claimed_until IS NULL OR claimed_until < ?)`).bind(new Date(now + CLAIM_MS).toISOString(), id, new Date(now).toISOString()).run();
  if (!claim.meta.changes) return getReport(env, id); // sent already, or another run holds it
  const row = (await getReport(env, id))!;
  const delivered = new Set<string>(JSON.parse(row.delivered_to));
  const messageIds: string[] = row.message_id ? row.message_id.split(" ") : [];
  let error: string | null = null;
  try {
    const object = await env.BLOBS.get(row.mime_key);
    if (!object) throw new Error(`archived message ${row.mime_key} is missing`);
    const raw = await object.text();
    if (!env.EMAIL) throw new Error("no send_email binding (EMAIL) configured");
    const { EmailMessage } = await import("cloudflare:email");
    const from = env.ALERT_FROM_EMAIL ?? "switchyard@switchyard.local";
    for (const to of JSON.parse(row.recipients) as string[]) {
      if (delivered.has(to)) continue;
      const result = (await env.EMAIL.send(new EmailMessage(from, to, raw))) as unknown as { messageId?: string } | undefined;
      delivered.add(to);
      messageIds.push(result?.messageId ?? `<${id}@${from.split("@")[1]}>`);
      // Record each recipient as soon as it is reached: a failure on the next must not resend to this one.
      await env.DB.prepare("UPDATE reports SET delivered_to = ?, message_id = ? WHERE id = ?").bind(JSON.stringify([...delivered]), messageIds.join(" "), id).run();
    }
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  await env.DB.prepare("UPDATE reports SET status = ?, error = ?, attempts = attempts + 1, claimed_until = NULL WHERE id = ?")
    .bind(error ? "failed" : "sent", error, id).run();
  return getReport(env, id);
}

/** Retries every report not yet sent (the cron calls this). */
export async function retryUndelivered(env: Env, now = Date.now()): Promise<string[]> {
  const rows = await env.DB.prepare("SELECT id FROM reports WHERE status IN ('pending', 'failed') AND attempts < ? ORDER BY created_at LIMIT 20").bind(MAX_ATTEMPTS).all<{ id: string }>();
  const sent: string[] = [];
  for (const { id } of rows.results) if ((await deliverReport(env, id, now))?.status === "sent") sent.push(id);
  return sent;
}

/** The monthly job: both reports for the month that just ended, built once and delivered. */
export async function runMonthlyReports(env: Env, scheduledTime: number): Promise<ReportRow[]> {
  const period = new Date(Date.UTC(new Date(scheduledTime).getUTCFullYear(), new Date(scheduledTime).getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  const out: ReportRow[] = [];
  for (const kind of ["finance", "compliance"] as const) {
    const row = await createReport(env, { kind, period, trigger: "cron", now: scheduledTime });
    out.push((await deliverReport(env, row.id)) ?? row);
  }
  return out;
}

export function reportView(r: ReportRow) {
  return {
    id: r.id, kind: r.kind, period: r.period, trigger: r.trigger, created_at: r.created_at, sha256: r.sha256, recipients: JSON.parse(r.recipients) as string[],
    delivery: { status: r.status, message_id: r.message_id, error: r.error, attempts: r.attempts, delivered_to: JSON.parse(r.delivered_to) as string[] },
  };
}
