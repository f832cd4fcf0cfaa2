/**
 * @module
 * The replay's view of the live policy, built from the compiled policy bundle (the same one the
 * data plane enforces), and the parsing of usage_events rows into replay records.
 */
import type { PolicyBundle } from "../config/bundle";
import type { DataClass, Zone } from "../config/schemas";
import type { ReplayPolicy, ReplayRecord, ReplayWorkload } from "./whatif";

/** @example const policy = replayPolicyFromBundle(await getBundle(env, ctx)); */
export function replayPolicyFromBundle(bundle: PolicyBundle): ReplayPolicy {
  const workloads = new Map<string, ReplayWorkload>();
  for (const w of bundle.workloads.values()) {
    const budget = w.limits?.budget_usd;
    workloads.set(w.id, {
      defaultClass: w.default_data_class,
      allowedModels: w.allowedModels,
      dlpAction: (t) => w.dlpPolicy.actionFor(t),
      ...(budget !== undefined ? { budgetNusd: Math.round(budget * 1e9) } : {}),
      ...(w.limits?.rpm !== undefined ? { rpm: w.limits.rpm } : {}),
    });
  }
  const providerZone = new Map<string, Zone>([...bundle.providers.values()].map((p) => [p.id, p.region]));
  const modelClasses = new Map<string, ReadonlySet<DataClass>>();
  const modelZones = new Map<string, ReadonlySet<string>>();
  for (const m of bundle.models.values()) {
    modelClasses.set(m.id, m.dataClassSet);
    modelZones.set(m.id, new Set(m.targets.map((t) => providerZone.get(t.provider)).filter((z): z is Zone => z !== undefined)));
  }
  return { workloads, classification: bundle.governance?.entityClasses ?? new Map(), modelClasses, modelZones, providerZone };
}

/** A usage_events row → replay record: DLP entity types and the declared class from `detail`. */
export function replayRecord(row: { ts: string; workload: string; model: string | null; provider: string | null; region: string; cost_nusd: number; detail: string | null }): ReplayRecord {
  let detail: { dlp_request?: { types?: unknown }; declared_class?: unknown } = {};
  try {
    detail = row.detail ? (JSON.parse(row.detail) as typeof detail) : {};
  } catch {
    detail = {};
  }
  const types = Array.isArray(detail.dlp_request?.types) ? (detail.dlp_request!.types as unknown[]).filter((t): t is string => typeof t === "string") : [];
  const declared = detail.declared_class;
  return {
    ts: row.ts, workload: row.workload, model: row.model, provider: row.provider, region: row.region, cost_nusd: row.cost_nusd, dlp_types: types,
    ...(declared === "public" || declared === "internal" || declared === "restricted" ? { declared_class: declared } : {}),
  };
}
