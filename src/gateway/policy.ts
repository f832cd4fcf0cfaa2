/**
 * @module
 * Authorization decisions of the data plane, as pure functions of the policy bundle: which key,
 * which model, which data class. Each refusal says which rule refused.
 */
import type { KeyPolicy, ModelPolicy, PolicyBundle, TeamPolicy, WorkloadPolicy } from "../config/bundle";
import { DATA_CLASS_RANK, DataClass } from "../config/schemas";
import { badRequest, forbidden, notFound, unauthorized } from "../errors/openai";

export interface Caller {
  key: KeyPolicy;
  workload: WorkloadPolicy;
  team: TeamPolicy;
}

/** Extracts the bearer token; answers 401 for anything else. */
export function bearerToken(header: string | null): string {
  if (!header) throw unauthorized("Missing Authorization header; send `Authorization: Bearer <api key>`.", "missing_api_key");
  const match = /^Bearer\s+(\S{1,512})$/i.exec(header.trim());
  if (!match) throw unauthorized("Authorization header must be `Bearer <api key>`.");
  return match[1];
}

/**
 * The request's API key: `Authorization: Bearer` (OpenAI SDKs), else `x-api-key` (Anthropic
 * SDKs and the coding agents that read ANTHROPIC_BASE_URL). Same keys either way.
 * @example requestApiKey(new Headers({ "x-api-key": "sk-sy-..." }))
 */
export function requestApiKey(headers: Headers): string {
  const authorization = headers.get("authorization");
  if (authorization) return bearerToken(authorization);
  const apiKey = headers.get("x-api-key")?.trim();
  if (apiKey && /^\S{1,512}$/.test(apiKey)) return apiKey;
  if (apiKey) throw unauthorized("x-api-key header must hold one API key.");
  return bearerToken(null);
}

/**
 * Resolves a key hash to its caller, refusing unknown, revoked, expired and orphaned keys.
 * @example const caller = authorizeKey(bundle, await sha256Hex(token), Date.now());
 */
export function authorizeKey(bundle: PolicyBundle, keyHash: string, now: number): Caller {
  const key = bundle.keysByHash.get(keyHash);
  if (!key) throw unauthorized("Invalid API key.");
  if (key.expiresAt !== null && key.expiresAt <= now) throw unauthorized("API key has expired.", "expired_api_key");
  const workload = bundle.workloads.get(key.workload);
  const team = bundle.teams.get(key.team);
  if (!workload || !team) throw unauthorized("API key belongs to a workload or team that no longer exists.");
  if (workload.lifecycle === "decommissioned") throw forbidden(`Workload ${workload.id} is decommissioned.`, "workload_decommissioned");
  // A deprecated workload's keys stop at its sunset (rule: workload.sunset_at).
  if (workload.lifecycle === "deprecated" && workload.sunset_at && Date.parse(workload.sunset_at) <= now) {
    throw forbidden(`Workload ${workload.id} was sunset at ${new Date(workload.sunset_at).toISOString()}; its keys no longer work (rule: workload.sunset_at).`, "workload_sunset");
  }
  return { key, workload, team };
}

/** Parses the optional `x-data-class` header. */
export function declaredDataClass(header: string | null): DataClass | undefined {
  if (header === null || header === "") return undefined;
  const parsed = DataClass.safeParse(header.trim().toLowerCase());
  if (!parsed.success) throw badRequest("x-data-class must be one of public, internal, restricted.", "x-data-class", "invalid_data_class");
  return parsed.data;
}

/**
 * The class of a request: the highest of the workload default, the declared header and what DLP
 * detected. Declaring a lower class than the workload's never lowers it.
 * @example effectiveDataClass("internal", "public", undefined) === "internal"
 */
export function effectiveDataClass(...sources: Array<DataClass | undefined>): DataClass {
  let best: DataClass = "public";
  for (const s of sources) if (s && DATA_CLASS_RANK[s] > DATA_CLASS_RANK[best]) best = s;
  return best;
}

/**
 * Finds the catalog model and checks the caller may use it for this class of data.
 * 404 when no catalog knows the id; 403 naming the rule otherwise.
 */
export function authorizeModel(
  bundle: PolicyBundle,
  caller: Caller,
  modelId: string,
  kind: "chat" | "embeddings",
  dataClass: DataClass,
): ModelPolicy {
  const model = bundle.models.get(modelId);
  if (!model) throw notFound(`The model '${modelId}' does not exist in the model catalog.`, "model_not_found", "model");
  if (model.kind !== kind) {
    throw badRequest(`The model '${modelId}' is a ${model.kind} model and cannot serve ${kind} requests.`, "model", "wrong_model_kind");
  }
  if (!caller.workload.allowedModels.has(modelId)) {
    throw forbidden(`Workload '${caller.workload.id}' is not allowed to use model '${modelId}' (rule: workload.allowed_models).`, "model_not_allowed");
  }
  if (!model.dataClassSet.has(dataClass)) {
    throw forbidden(`Model '${modelId}' is not approved for ${dataClass} data (rule: model.data_classes).`, "data_class_not_allowed");
  }
  return model;
}

/** The catalog models a caller may name, for GET /v1/models. */
export function visibleModels(bundle: PolicyBundle, caller: Caller): ModelPolicy[] {
  const out: ModelPolicy[] = [];
  for (const id of caller.workload.allowedModels) {
    const m = bundle.models.get(id);
    if (m) out.push(m);
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
