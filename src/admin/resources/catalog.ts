/**
 * @module
 * Admin resources for providers (with encrypted secrets and the simulated fault switch) and
 * the model catalog.
 */
import { Faults, ModelPut, ProviderPut, ResourceId } from "../../config/schemas";
import { db, eq, nowIso, schema, specOf, writeConfig } from "../../config/store";
import { sealSecret } from "../../config/secrets";
import { baseUrlCredentials, destinationChanged, isCredentialName } from "../../config/provider-url";
import { ProblemError } from "../../errors/problem";
import { adminRoute, type AdminRoute } from "../router";
import { startUpgradeEvaluation, targetChanges } from "../../workloads/upgrades";
import { putCatalogModel } from "../../config/catalog-store";

function id(params: Record<string, string>): string {
  const parsed = ResourceId.safeParse(params.id);
  if (!parsed.success) throw new ProblemError(400, "Invalid Id", `"${String(params.id).slice(0, 80)}": ${parsed.error.issues[0].message}`);
  return parsed.data;
}

type StoredProvider = Omit<ProviderPut, "api_key"> & { faults?: Faults };

function providerView(row: typeof schema.providers.$inferSelect) {
  const spec = specOf<StoredProvider>(row);
  return { id: row.id, ...spec, faults: spec.faults ?? { mode: "none" }, has_api_key: row.secretEnc !== null, updated_at: row.updatedAt };
}

export const catalogRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "get", path: "/providers", tag: "providers", summary: "List providers", roles: ["auditor", "finance"],
    handler: async ({ env }) => ({ data: (await db(env).select().from(schema.providers).all()).map(providerView) }),
  }),
  adminRoute({
    method: "get", path: "/providers/:id", tag: "providers", summary: "Get a provider", roles: ["auditor", "finance"],
    handler: async ({ env, params }) => {
      const row = await db(env).select().from(schema.providers).where(eq(schema.providers.id, id(params))).get();
      if (!row) throw new ProblemError(404, "Not Found", `No provider ${params.id}.`);
      return providerView(row);
    },
  }),
  adminRoute({
    method: "put", path: "/providers/:id", tag: "providers", summary: "Create or replace a provider (secret stored encrypted, never returned)", roles: [], body: ProviderPut,
    handler: async ({ env, params, body, principal }) => {
      const providerId = id(params);
      if (body.type !== "simulated" && body.type !== "workers-ai" && !body.base_url && body.type === "openai-compatible") {
        throw new ProblemError(400, "Invalid Request Body", "openai-compatible providers need base_url.");
      }
      const credentialOption = Object.keys(body.options ?? {}).find(isCredentialName);
      const credentials = (body.base_url ? baseUrlCredentials(body.base_url) : undefined) ?? (credentialOption ? `option "${credentialOption.slice(0, 40)}"` : undefined);
      if (credentials) {
        throw new ProblemError(400, "Credentials Outside api_key", `Refused: ${credentials}. Send the key as api_key, which is stored encrypted and never shown.`);
      }
      const existing = await db(env).select().from(schema.providers).where(eq(schema.providers.id, providerId)).get();
      const { api_key, ...rest } = body;
      // A stored secret never follows its provider to a new destination: an admin token alone
      // must not be able to send the real key to another host (the ciphertext is bound too).
      if (!api_key && existing?.secretEnc && destinationChanged(specOf<StoredProvider>(existing), body)) {
        throw new ProblemError(409, "Secret Must Be Re-Supplied", `Provider ${providerId} has a stored api_key; changing its type or base_url needs api_key again (or delete the provider first).`);
      }
      if (api_key && !env.SECRETS_KEY) throw new ProblemError(503, "Secrets Not Configured", "SECRETS_KEY is not set, so provider secrets cannot be stored.");
      const binding = { providerId, type: body.type, baseUrl: body.base_url ?? null };
      const secretEnc = api_key ? await sealSecret(env.SECRETS_KEY!, api_key, binding) : (existing?.secretEnc ?? null);
      const faults = existing ? specOf<StoredProvider>(existing).faults : undefined;
      const spec = JSON.stringify({ ...rest, ...(faults ? { faults } : {}) });
      const row = { id: providerId, type: body.type, region: body.region, spec, secretEnc, updatedAt: nowIso() };
      await writeConfig(env, [db(env).insert(schema.providers).values(row).onConflictDoUpdate({ target: schema.providers.id, set: row })], {
        actor: principal.sub, action: "provider.put", resource: `providers/${providerId}`, detail: { ...rest, api_key_set: Boolean(api_key) },
      });
      return providerView(row);
    },
  }),
  adminRoute({
    method: "put", path: "/providers/:id/faults", tag: "providers", summary: "Set the fault switch of a simulated provider", roles: [], body: Faults,
    handler: async ({ env, params, body, principal }) => {
      const providerId = id(params);
      const row = await db(env).select().from(schema.providers).where(eq(schema.providers.id, providerId)).get();
      if (!row) throw new ProblemError(404, "Not Found", `No provider ${providerId}.`);
      if (row.type !== "simulated") throw new ProblemError(409, "Not A Simulated Provider", "Faults can only be injected into simulated providers.");
      const spec = { ...specOf<StoredProvider>(row), faults: body };
      await writeConfig(env, [db(env).update(schema.providers).set({ spec: JSON.stringify(spec), updatedAt: nowIso() }).where(eq(schema.providers.id, providerId))], {
        actor: principal.sub, action: "provider.faults", resource: `providers/${providerId}`, detail: body,
      });
      return { id: providerId, faults: body };
    },
  }),
  adminRoute({
    method: "delete", path: "/providers/:id", tag: "providers", summary: "Delete a provider", roles: [], status: 204,
    handler: async ({ env, params, principal }) => {
      const providerId = id(params);
      await writeConfig(env, [db(env).delete(schema.providers).where(eq(schema.providers.id, providerId))], { actor: principal.sub, action: "provider.delete", resource: `providers/${providerId}` });
      return null;
    },
  }),
  adminRoute({
    method: "get", path: "/models", tag: "models", summary: "List catalog models", roles: "any",
    handler: async ({ env }) => ({ data: (await db(env).select().from(schema.models).all()).map((r) => ({ id: r.id, ...specOf<ModelPut>(r), updated_at: r.updatedAt })) }),
  }),
  adminRoute({
    method: "get", path: "/models/:id", tag: "models", summary: "Get a catalog model", roles: "any",
    handler: async ({ env, params }) => {
      const row = await db(env).select().from(schema.models).where(eq(schema.models.id, id(params))).get();
      if (!row) throw new ProblemError(404, "Not Found", `No model ${params.id}.`);
      return { id: row.id, ...specOf<ModelPut>(row), updated_at: row.updatedAt };
    },
  }),
  adminRoute({
    method: "put", path: "/models/:id", tag: "models", summary: "Create or replace a catalog model", roles: [], body: ModelPut,
    handler: async ({ env, params, body, principal, waitUntil }) => {
      const modelId = id(params);
      const written = await putCatalogModel(env, modelId, body, { actor: principal.sub, action: "model.put" });
      // A direct PUT is live at once; a target now pointing at another version of its model is
      // still re-evaluated after the fact (src/workloads/upgrades.ts). To evaluate a version
      // before it serves production, record it as a candidate: POST /models/{id}/candidates.
      const changes = targetChanges(written.before, body);
      if (changes.length) waitUntil(startUpgradeEvaluation(env, { modelId, changes, actor: principal.sub }).catch((err) => console.error("upgrade re-evaluation not started", { error: String(err) })));
      return { id: modelId, ...body, updated_at: written.updatedAt };
    },
  }),
  adminRoute({
    method: "delete", path: "/models/:id", tag: "models", summary: "Remove a model from the catalog", roles: [], status: 204,
    handler: async ({ env, params, principal }) => {
      const modelId = id(params);
      await writeConfig(env, [db(env).delete(schema.models).where(eq(schema.models.id, modelId))], { actor: principal.sub, action: "model.delete", resource: `models/${modelId}` });
      return null;
    },
  }),
];

export { id as parseResourceId };
