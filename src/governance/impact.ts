/**
 * @module
 * Regulatory impact: "what changes if this regulation (clause) changes" as one pure query over
 * the regulatory map, the policies and the workloads in scope, with the teams that own them and
 * the providers their models route to.
 */
import type { LiveWorkload } from "./check";
import type { ArtifactSet } from "./schemas";

export interface ImpactResult {
  regulation: string;
  clauses: Array<{ id: string; title: string; not_applicable?: string }>;
  policies: Array<{ id: string; title: string; enforced_by: string[] }>;
  workloads: string[];
  teams: string[];
  models: string[];
  providers: string[];
}

/**
 * The policies, workloads, teams, models and providers a regulation (or one clause) reaches.
 * Returns undefined when the map has no such regulation or clause.
 * @example regulatoryImpact(set, { regulation: "GDPR", clause: "Art.44" }, workloads, providersByModel)
 */
export function regulatoryImpact(
  set: ArtifactSet,
  query: { regulation: string; clause?: string },
  workloads: readonly LiveWorkload[],
  providersByModel: ReadonlyMap<string, readonly string[]>,
): ImpactResult | undefined {
  const reg = set.regulatory_map.regulations.find((r) => r.id.toLowerCase() === query.regulation.toLowerCase());
  if (!reg) return undefined;
  const clauses = query.clause ? reg.clauses.filter((c) => c.id.toLowerCase() === query.clause!.toLowerCase()) : reg.clauses;
  if (clauses.length === 0) return undefined;
  const policyIds = new Set<string>();
  const inScope = new Set<string>();
  for (const c of clauses) {
    if (c.not_applicable) continue;
    for (const p of c.policies) policyIds.add(p);
    const sel = c.applies_to;
    for (const w of workloads) {
      if (sel.workloads && !sel.workloads.includes(w.id)) continue;
      if (sel.data_classes && !sel.data_classes.includes(w.data_class)) continue;
      if (sel.zones && !sel.zones.includes(w.zone)) continue;
      inScope.add(w.id);
    }
  }
  const scoped = workloads.filter((w) => inScope.has(w.id));
  const models = [...new Set(scoped.flatMap((w) => w.allowed_models))].sort();
  return {
    regulation: reg.id,
    clauses: clauses.map((c) => ({ id: c.id, title: c.title, ...(c.not_applicable ? { not_applicable: c.not_applicable } : {}) })),
    policies: set.acceptable_use.rules.filter((r) => policyIds.has(r.id)).map((r) => ({ id: r.id, title: r.title, enforced_by: r.enforced_by })),
    workloads: [...inScope].sort(),
    teams: [...new Set(scoped.map((w) => w.team))].sort(),
    models,
    providers: [...new Set(models.flatMap((m) => providersByModel.get(m) ?? []))].sort(),
  };
}
