/**
 * @module
 * Which targets a request may go to, in which order. Residency is a hard filter: restricted data
 * only goes to providers in the team's zone, and there is never a cross-zone fallback for it.
 */
import type { ModelPolicy, PolicyBundle, TeamPolicy } from "../config/bundle";
import type { DataClass, Target } from "../config/schemas";
import type { ProviderRuntime } from "../providers/types";

export interface PlannedTarget {
  target: Target;
  provider: ProviderRuntime;
}

export interface RoutePlan {
  targets: PlannedTarget[];
  /** Why this order, e.g. "ordered" or "residency:eu"; recorded in usage and x-switchyard-route. */
  reason: string;
  /** Targets dropped and why (no such provider, out of zone). */
  excluded: Array<{ provider: string; why: string }>;
}

/**
 * Plans the attempt order for a request.
 * @example planRoute(bundle, model, team, "restricted").targets.every(t => t.provider.region === team.residency)
 */
export function planRoute(bundle: PolicyBundle, model: ModelPolicy, team: TeamPolicy, dataClass: DataClass): RoutePlan {
  const targets: PlannedTarget[] = [];
  const excluded: RoutePlan["excluded"] = [];
  for (const target of model.targets) {
    const provider = bundle.providers.get(target.provider);
    if (!provider) {
      excluded.push({ provider: target.provider, why: "unknown provider" });
      continue;
    }
    if (dataClass === "restricted" && provider.region !== team.residency) {
      excluded.push({ provider: provider.id, why: `outside residency zone ${team.residency}` });
      continue;
    }
    targets.push({ target, provider });
  }
  return { targets, reason: dataClass === "restricted" ? `ordered residency:${team.residency}` : "ordered", excluded };
}
