/**
 * @module
 * Paging a human: an escalation is an alert (D1, webhook, ALERT_EMAIL) plus an email to each
 * named address (team owner, finance, security, on-call) through the send_email binding.
 * Like alerts, a channel that fails is recorded, never thrown.
 */
import type { Env } from "../env";
import { alertEmail, raiseAlert, type Alert } from "./alerts";

export interface Page {
  /** Roles paged, for the record (on-call, team-owner, finance, security). */
  roles: string[];
  addresses: string[];
}

/**
 * @example await page(env, { kind: "escalation", severity: "critical", title, evidence }, { roles: ["on-call"], addresses: [] })
 */
export async function page(env: Env, alert: Alert, to: Page): Promise<{ alert: string; delivered: string[] }> {
  const { id, delivered } = await raiseAlert(env, { ...alert, evidence: { ...alert.evidence, escalated_to: to.roles } });
  for (const address of [...new Set(to.addresses)]) {
    if (!env.EMAIL) {
      delivered.push(`email:${address}:no_binding`);
      continue;
    }
    try {
      const { EmailMessage } = await import("cloudflare:email");
      const from = env.ALERT_FROM_EMAIL ?? "alerts@switchyard.local";
      await env.EMAIL.send(new EmailMessage(from, address, alertEmail(from, address, alert, id)));
      delivered.push(`email:${address}`);
    } catch {
      delivered.push(`email:${address}:failed`);
    }
  }
  return { alert: id, delivered };
}
