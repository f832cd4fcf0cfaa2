/**
 * @module
 * Which targets a request may go to, in which order. Residency is a hard filter applied first:
 * restricted data only goes to providers in the team's zone, and there is never a cross-zone
 * fallback for it. Then the effective routing rule (workload over team over the model's default)
 * and the health view order what is left (./score.ts).
 */
import type { ModelPolicy, PolicyBundle, TeamPolicy, WorkloadPolicy } from "../config/bundle";
import { isZoneBound, type DataClass, type Target } from "../config/schemas";
import type { ProviderRuntime } from "../providers/types";
import type { HealthView } from "./breaker";
import { mergeRules, ruleKey, type EffectiveRule } from "./rules";
import { orderCandidates, type Candidate, type RequestNeeds } from "./score";

export interface PlannedTarget {
  target: Target;
  provider: ProviderRuntime;
}

export interface RoutePlan {
  targets: PlannedTarget[];
  /** Rule version, strategy and zone, e.g. "workload:wl-a@v3 lowest_cost residency:eu"; in usage and x-switchyard-route. */
  reason: string;
  /** Targets dropped and why (no such provider, out of zone, rule, capability, circuit open). */
  excluded: Array<{ provider: string; why: string }>;
  rule: EffectiveRule;
  /** Set when restricted data found no healthy in-zone target (the 503 says so). */
  residencyZone?: string;
  /** The zone-bound class that set `residencyZone` (the team's residency rule). */
  residencyClass?: DataClass;
}

export interface PlanOptions {
  workload?: WorkloadPolicy;
  needs?: RequestNeeds;
  /** Health of a provider as this isolate sees it; absent means "all healthy". */
  health?: (provider: ProviderRuntime) => HealthView;
  random?: () => number;
}

const HEALTHY: HealthView = { state: "closed", errorRate: 0, latencyMs: null, ttfbMs: null };
const NO_NEEDS: RequestNeeds = { promptTokens: 0, maxOutputTokens: 0, tools: false, vision: false, jsonMode: false, stream: false };

/**
 * Plans the attempt order for a request.
 * @example planRoute(bundle, model, team, "restricted").targets.every(t => t.provider.region === team.residency)
 */
export function planRoute(bundle: PolicyBundle, model: ModelPolicy, team: TeamPolicy, dataClass: DataClass, opts: PlanOptions = {}): RoutePlan {
  const rules = bundle.routingRules;
  const rule = mergeRules(rules?.get(ruleKey("team", team.id)), opts.workload ? rules?.get(ruleKey("workload", opts.workload.id)) : undefined);
  const strategy = rule.strategy ?? model.routing?.strategy ?? "ordered";
  // The team's residency policy (default: internal and restricted stay in zone).
  const restricted = isZoneBound(team, dataClass);
  const excluded: RoutePlan["excluded"] = [];
  const candidates: Candidate[] = [];
  const providers: ProviderRuntime[] = [];
  for (let i = 0; i < model.targets.length; i++) {
    const target = model.targets[i];
    const provider = bundle.providers.get(target.provider);
    if (!provider) {
      excluded.push({ provider: target.provider, why: "unknown provider" });
      continue;
    }
    if (restricted && provider.region !== team.residency) {
      excluded.push({ provider: provider.id, why: `outside residency zone ${team.residency}` });
      continue;
    }
    providers[i] = provider;
    candidates.push({
      index: i,
      provider: provider.id,
      price: target.price ?? model.price,
      weight: target.weight ?? 1,
      tier: target.tier ?? 0,
      capabilities: { ...model.capabilities, ...target.capabilities },
      health: opts.health ? opts.health(provider) : HEALTHY,
    });
  }
  const ordered = orderCandidates(
    candidates,
    opts.needs ?? NO_NEEDS,
    { strategy, weights: rule.weights ?? model.routing?.weights, pin: rule.pin, exclude: rule.exclude, prefer: rule.prefer },
    opts.random ?? Math.random,
  );
  excluded.push(...ordered.excluded);
  const targets = ordered.order.map((c) => ({ target: model.targets[c.index], provider: providers[c.index] }));
  const reason = `${rule.label} ${strategy}${restricted ? ` residency:${team.residency}` : ""}`;
  return { targets, reason, excluded, rule, ...(restricted ? { residencyZone: team.residency, residencyClass: dataClass } : {}) };
}

/**
 * The residency rule a zone-bound plan follows, in words, for error messages.
 * @example residencyRule({ residencyZone: "eu", residencyClass: "internal" }) // "residency rule: internal data of this team stays in zone eu..."
 */
export function residencyRule(plan: Pick<RoutePlan, "residencyZone" | "residencyClass">): string {
  return `residency rule: ${plan.residencyClass ?? "restricted"} data of this team stays in zone ${plan.residencyZone} (zone_bound_classes) and is never sent to another zone`;
}

/**
 * The message of the 503 when nothing may serve: names the zone for restricted data, so the
 * client (and the log) can tell "no healthy provider in eu" from a misconfiguration.
 * @example noTargetMessage(plan, "sim-chat")
 */
export function noTargetMessage(plan: RoutePlan, modelId: string): string {
  const why = plan.excluded.map((e) => `${e.provider} ${e.why}`).join("; ");
  if (plan.residencyZone) {
    return `No healthy provider in residency zone ${plan.residencyZone} for model '${modelId}'; ${residencyRule(plan)}.${why ? ` Excluded: ${why}.` : ""}`;
  }
  return `No provider is available for model '${modelId}'${why ? `: ${why}` : ""}.`;
}
