/**
 * @module
 * Incidents in D1: create, step, update, read. Steps are append-only; the timeline columns are
 * set once each (the first acknowledgement, mitigation and resolution count).
 */
import type { Env } from "../../env";
import { incidentTimes } from "./metrics";
import type { StepResult } from "../runbooks/types";

export interface IncidentRow {
  id: string;
  kind: string;
  fingerprint: string;
  title: string;
  severity: string;
  status: "open" | "mitigated" | "resolved";
  drill: number;
  team: string | null;
  subject: string | null;
  started_at: string;
  detected_at: string;
  acknowledged_at: string | null;
  mitigated_at: string | null;
  resolved_at: string | null;
  escalated_at: string | null;
  diagnosis: string | null;
  updated_at: string;
}

export interface NewIncident {
  kind: string;
  fingerprint: string;
  title: string;
  severity: string;
  drill: boolean;
  team?: string;
  subject: string;
  startedAt: string;
  detectedAt: string;
}

/** @example const id = await createIncident(env, { kind: "provider_outage", ... }); */
export async function createIncident(env: Pick<Env, "DB">, n: NewIncident): Promise<string> {
  const id = `inc_${crypto.randomUUID()}`;
  // A first bad signal can never be later than its detection.
  const started = n.startedAt < n.detectedAt ? n.startedAt : n.detectedAt;
  await env.DB.prepare(
    `INSERT INTO incidents (id, kind, fingerprint, title, severity, status, drill, team, subject, started_at, detected_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?)`,
  ).bind(id, n.kind, n.fingerprint, n.title, n.severity, n.drill ? 1 : 0, n.team ?? null, n.subject, started, n.detectedAt, n.detectedAt).run();
  return id;
}

export async function addStep(env: Pick<Env, "DB">, incidentId: string, step: string, r: StepResult): Promise<void> {
  await env.DB.prepare("INSERT INTO incident_steps (incident_id, ts, step, outcome, inputs, detail) VALUES (?, ?, ?, ?, ?, ?)")
    .bind(incidentId, new Date().toISOString(), step, r.outcome, r.inputs ? JSON.stringify(r.inputs) : null, JSON.stringify(r.detail))
    .run();
}

type Settable = "status" | "diagnosis" | "mitigated_at" | "resolved_at" | "escalated_at" | "acknowledged_at";

/** Sets columns; timeline columns only when still empty (first event wins). */
export async function updateIncident(env: Pick<Env, "DB">, id: string, set: Partial<Record<Settable, string>>): Promise<void> {
  const cols = Object.keys(set) as Settable[];
  if (cols.length === 0) return;
  const assign = cols.map((c) => (c.endsWith("_at") ? `${c} = COALESCE(${c}, ?)` : `${c} = ?`));
  await env.DB.prepare(`UPDATE incidents SET ${assign.join(", ")}, updated_at = ? WHERE id = ?`)
    .bind(...cols.map((c) => set[c]!), new Date().toISOString(), id)
    .run();
}

export async function openIncidents(env: Pick<Env, "DB">, kind: string): Promise<IncidentRow[]> {
  const r = await env.DB.prepare("SELECT * FROM incidents WHERE kind = ? AND status != 'resolved' AND drill = 0").bind(kind).all<IncidentRow>();
  return r.results;
}

/** The API view of an incident row: parsed diagnosis and its timing figures. */
export function incidentView(row: IncidentRow) {
  return {
    id: row.id, kind: row.kind, title: row.title, severity: row.severity, status: row.status, drill: row.drill === 1,
    team: row.team, subject: row.subject, fingerprint: row.fingerprint,
    timeline: {
      started_at: row.started_at, detected_at: row.detected_at, acknowledged_at: row.acknowledged_at,
      mitigated_at: row.mitigated_at, resolved_at: row.resolved_at, escalated_at: row.escalated_at,
    },
    ...incidentTimes(row),
    diagnosis: row.diagnosis ? (JSON.parse(row.diagnosis) as unknown) : null,
  };
}

export interface IncidentFilter {
  kind?: string;
  status?: string;
  team?: string;
  since?: string;
  drill?: boolean;
  limit: number;
}

export async function listIncidents(env: Pick<Env, "DB">, f: IncidentFilter): Promise<IncidentRow[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.kind) (where.push("kind = ?"), args.push(f.kind));
  if (f.status === "open") where.push("status != 'resolved'");
  else if (f.status) (where.push("status = ?"), args.push(f.status));
  if (f.team) (where.push("team = ?"), args.push(f.team));
  if (f.since) (where.push("detected_at >= ?"), args.push(f.since));
  if (f.drill !== undefined) (where.push("drill = ?"), args.push(f.drill ? 1 : 0));
  const sql = `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY detected_at DESC LIMIT ?`;
  return (await env.DB.prepare(sql).bind(...args, f.limit).all<IncidentRow>()).results;
}

export async function incidentDetail(env: Pick<Env, "DB">, id: string) {
  const row = await env.DB.prepare("SELECT * FROM incidents WHERE id = ?").bind(id).first<IncidentRow>();
  if (!row) return undefined;
  const steps = await env.DB.prepare("SELECT * FROM incident_steps WHERE incident_id = ? ORDER BY id").bind(id)
    .all<{ id: number; ts: string; step: string; outcome: string; inputs: string | null; detail: string | null }>();
  const alerts = await env.DB.prepare("SELECT id, ts, kind, severity, title, acknowledged_at, resolved_at FROM alerts WHERE incident_id = ? ORDER BY ts").bind(id).all();
  return {
    ...incidentView(row),
    steps: steps.results.map((s) => ({
      ts: s.ts, step: s.step, outcome: s.outcome,
      inputs: s.inputs ? (JSON.parse(s.inputs) as unknown) : null, detail: s.detail ? (JSON.parse(s.detail) as unknown) : null,
    })),
    alerts: alerts.results,
  };
}
