/**
 * @module
 * The one write path of a catalog model: the admin `PUT /models/{id}` and an accepted
 * model-upgrade candidate (src/workloads/candidates.ts) both go through {@link putCatalogModel},
 * so each change is a versioned config write with its audit row and a bundle version bump.
 */
import type { ModelPut } from "./schemas";
import { db, eq, nowIso, schema, specOf, writeConfig } from "./store";
import type { ConfigDbBindings } from "./control-db";

export interface CatalogWrite {
  /** The spec before the write (undefined for a new model). */
  before: ModelPut | undefined;
  updatedAt: string;
  /** The config version the write produced. */
  version: number;
}

/**
 * Creates or replaces a catalog model in one audited, versioned config write.
 * @example await putCatalogModel(env, "gpt-4o-mini", spec, { actor: "admin@x", action: "model.put" })
 */
export async function putCatalogModel(
  env: ConfigDbBindings,
  modelId: string,
  body: ModelPut,
  audit: { actor: string; action: string; detail?: Record<string, unknown> },
): Promise<CatalogWrite> {
  const d = db(env);
  const existing = await d.select().from(schema.models).where(eq(schema.models.id, modelId)).get();
  const row = { id: modelId, spec: JSON.stringify(body), updatedAt: nowIso() };
  const version = await writeConfig(env, [d.insert(schema.models).values(row).onConflictDoUpdate({ target: schema.models.id, set: row })], {
    actor: audit.actor, action: audit.action, resource: `models/${modelId}`, detail: audit.detail ? { ...body, ...audit.detail } : body,
  });
  return { before: existing ? specOf<ModelPut>(existing) : undefined, updatedAt: row.updatedAt, version };
}
