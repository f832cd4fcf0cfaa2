/**
 * @module
 * Builders for routing unit tests and the routing micro-benchmark: a policy bundle from plain
 * specs, without D1.
 */
import { compileBundle, type PolicyBundle } from "../config/bundle";
import type { ModelPut, TeamPut, WorkloadPut } from "../config/schemas";
import type { RuleRow } from "./rules";

export interface BundleSpec {
  providers: Record<string, { region: "us" | "eu" | "apac" }>;
  models: Record<string, Partial<ModelPut> & Pick<ModelPut, "targets">>;
  teams?: Record<string, Partial<TeamPut>>;
  workloads?: Record<string, Partial<WorkloadPut> & { team: string }>;
  rules?: RuleRow[];
}

/** @example testBundle({ providers: { a: { region: "us" } }, models: { m: { targets: [{ provider: "a", model: "x" }] } } }) */
export function testBundle(spec: BundleSpec): PolicyBundle {
  return compileBundle(
    {
      version: 1,
      providers: Object.entries(spec.providers).map(([id, p]) => ({ id, spec: JSON.stringify({ type: "simulated", region: p.region }), secret: null })),
      models: Object.entries(spec.models).map(([id, m]) => ({
        id,
        spec: JSON.stringify({ data_classes: ["public", "internal", "restricted"], price: { input_per_mtok: 1, output_per_mtok: 2 }, ...m }),
      })),
      teams: Object.entries(spec.teams ?? { t: {} }).map(([id, t]) => ({ id, spec: JSON.stringify({ monthly_budget_usd: 100, rpm: 1000, tpm: 100000, residency: "us", ...t }) })),
      workloads: Object.entries(spec.workloads ?? { w: { team: "t" } }).map(([id, w]) => ({
        id,
        spec: JSON.stringify({ default_data_class: "public", allowed_models: Object.keys(spec.models), lifecycle: "production", ...w }),
      })),
      keys: [],
      routingRules: spec.rules ?? [],
    },
    0,
  );
}

/** A deterministic random source (mulberry32, shared with the DLP fixtures), so weighted splits are testable. */
export { seededRandom } from "../util/seeded-random";
