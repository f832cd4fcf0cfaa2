/**
 * @module
 * One way to raise an alert from any automated loop: it is stored in D1 (so the admin API and
 * audits can list it), POSTed to ALERT_WEBHOOK_URL when set, and emailed through the
 * `send_email` binding when ALERT_EMAIL is set. A channel that fails is recorded, never thrown:
 * an alert must not break the job that raised it.
 */
import type { Env } from "../env";

export type AlertSeverity = "info" | "warning" | "critical";

export interface Alert {
  kind: string;
  severity: AlertSeverity;
  title: string;
  /** Facts behind the alert. Never request or response content. */
  evidence: Record<string, unknown>;
  /** Owning team, for filtering; defaults to `evidence.team` when that is a string. */
  team?: string;
  /** The incident this alert belongs to (set by the runbook engine). */
  incidentId?: string;
}

/** Builds a minimal RFC 5322 message for the send_email binding. */
export function alertEmail(from: string, to: string, alert: Alert, id: string): string {
  const subject = `[Switchyard ${alert.severity}] ${alert.title}`.replace(/[\r\n]+/g, " ");
  return [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${id}@switchyard.local>`,
    `Date: ${new Date().toUTCString()}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `${alert.title}`,
    "",
    JSON.stringify(alert.evidence, null, 2),
    "",
  ].join("\r\n");
}

/**
 * @example await raiseAlert(env, { kind: "failover_drill", severity: "critical", title: "Drill failed", evidence: { provider } })
 */
export async function raiseAlert(env: Env, alert: Alert, opts: { alsoTo?: Array<string | undefined> } = {}): Promise<{ id: string; delivered: string[] }> {
  const id = `alert_${crypto.randomUUID()}`;
  const delivered: string[] = ["d1"];
  if (env.ALERT_WEBHOOK_URL) {
    try {
      const body = JSON.stringify({ id, kind: alert.kind, severity: alert.severity, title: alert.title, evidence: alert.evidence, team: alert.team, incident_id: alert.incidentId });
      const res = await fetch(env.ALERT_WEBHOOK_URL, { method: "POST", headers: { "content-type": "application/json" }, body });
      delivered.push(res.ok ? "webhook" : `webhook:${res.status}`);
    } catch {
      delivered.push("webhook:failed");
    }
  }
  // Extra addresses (finance, a team owner) get the same alert; each address at most once.
  const recipients = [...new Set([env.ALERT_EMAIL, ...(opts.alsoTo ?? [])].filter((a): a is string => !!a))];
  if (env.EMAIL) {
    for (const to of recipients) {
      try {
        const { EmailMessage } = await import("cloudflare:email");
        const from = env.ALERT_FROM_EMAIL ?? "alerts@switchyard.local";
        await env.EMAIL.send(new EmailMessage(from, to, alertEmail(from, to, alert, id)));
        delivered.push(to === env.ALERT_EMAIL ? "email" : `email:${to}`);
      } catch (err) {
        delivered.push(to === env.ALERT_EMAIL ? "email:failed" : `email:${to}:failed`);
        console.warn("alert email not sent", { error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  const team = alert.team ?? (typeof alert.evidence.team === "string" ? alert.evidence.team : null);
  await env.DB.prepare("INSERT INTO alerts (id, ts, kind, severity, title, evidence, delivered, team, incident_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
    .bind(id, new Date().toISOString(), alert.kind, alert.severity, alert.title, JSON.stringify(alert.evidence), delivered.join(","), team, alert.incidentId ?? null)
    .run();
  return { id, delivered };
}
