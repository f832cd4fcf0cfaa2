/**
 * @module
 * Paging a human: an escalation is an alert (D1, webhook, ALERT_EMAIL) that also goes to each
 * named address (team owner, finance, security, on-call) and records which roles were paged.
 * Like alerts, a channel that fails is recorded, never thrown.
 */
import type { Env } from "../env";
import { raiseAlert, type Alert } from "./alerts";

export interface Page {
  /** Roles paged, for the record (on-call, team-owner, finance, security). */
  roles: string[];
  addresses: string[];
}

/**
 * @example await page(env, { kind: "escalation", severity: "critical", title, evidence }, { roles: ["on-call"], addresses: [] })
 */
export async function page(env: Env, alert: Alert, to: Page): Promise<{ alert: string; delivered: string[] }> {
  const { id, delivered } = await raiseAlert(env, { ...alert, evidence: { ...alert.evidence, escalated_to: to.roles } }, { alsoTo: to.addresses });
  return { alert: id, delivered };
}
