/**
 * @module
 * The one way runbooks and tuning change a workload's config: read the stored spec, apply a
 * change, write it back through writeConfig (version bump + audit row in the same batch).
 */
import type { WorkloadPut } from "../../config/schemas";
import { db, eq, nowIso, schema, writeConfig } from "../../config/store";
import type { Env } from "../../env";

export async function readWorkload(env: Env, id: string): Promise<WorkloadPut | undefined> {
  const row = await db(env).select().from(schema.workloads).where(eq(schema.workloads.id, id)).get();
  return row ? (JSON.parse(row.spec) as WorkloadPut) : undefined;
}

/**
 * @example await changeWorkload(env, "wl-1", (w) => ({ ...w, limits: { ...w.limits, rpm: 10 } }), { actor, action: "runbook.throttle" })
 */
export async function changeWorkload(
  env: Env, id: string, change: (w: WorkloadPut) => WorkloadPut, audit: { actor: string; action: string; detail: Record<string, unknown> },
): Promise<{ before: WorkloadPut; after: WorkloadPut } | undefined> {
  const before = await readWorkload(env, id);
  if (!before) return undefined;
  const after = change(structuredClone(before));
  await writeConfig(env, [db(env).update(schema.workloads).set({ spec: JSON.stringify(after), updatedAt: nowIso() }).where(eq(schema.workloads.id, id))], {
    actor: audit.actor, action: audit.action, resource: `workloads/${id}`, detail: audit.detail,
  });
  return { before, after };
}

/** The detail of the incident's remediation step, for undoing it on resolution. */
export async function remediationDetail(env: Env, incidentId: string): Promise<Record<string, unknown> | undefined> {
  const row = await env.DB.prepare("SELECT detail FROM incident_steps WHERE incident_id = ? AND step = 'remediate' AND outcome = 'ok' ORDER BY id DESC LIMIT 1")
    .bind(incidentId).first<{ detail: string }>();
  return row ? (JSON.parse(row.detail) as Record<string, unknown>) : undefined;
}
