/**
 * @module
 * Layer 2 (Gateway) exit criteria, judged from routing rules, failover drills, team residency and
 * provider regions, and the restricted-content audits.
 */
import type { MaturityFacts, WorkloadFact } from "./facts";
import { ageDays, latestConsecutivePair, met, notApplicable, notMet, plural, regionHref, type Criterion, type Evidence } from "./types";

/** Strategies that optimise for a signal (ordered and weighted lists do not). */
const OPTIMISING = new Set(["lowest_cost", "lowest_latency", "score"]);

/**
 * What a workload's routing optimises for, or undefined when it optimises nothing.
 * @example optimisationOf({ routing: { strategy: "score", dominantSignal: "cost" } }) // "score:cost"
 */
export function optimisationOf(w: Pick<WorkloadFact, "routing">): string | undefined {
  const r = w.routing;
  if (!r || !OPTIMISING.has(r.strategy)) return undefined;
  return r.strategy === "score" ? `score:${r.dominantSignal ?? "balanced"}` : r.strategy;
}

const multiSignal: Criterion = {
  id: "l2.multi-signal-routing",
  layer: "layer-2",
  text: "Multi-signal routing is active and at least two workloads have distinct routing configurations based on different optimization criteria.",
  action: "Give two workloads routing rules that optimise for different signals, e.g. lowest_latency for an interactive one and lowest_cost for a batch one (PUT /admin/v1/routing/rules/workload/:id).",
  evaluate(f) {
    const live = f.routing.workloads.filter((w) => w.lifecycle !== "decommissioned");
    const optimising = live.map((w) => ({ w, o: optimisationOf(w) })).filter((x): x is { w: WorkloadFact; o: string } => !!x.o);
    const distinct = new Map<string, WorkloadFact>();
    for (const { w, o } of optimising) if (!distinct.has(o)) distinct.set(o, w);
    const evidence: Evidence[] = [...distinct].map(([o, w]) => ({
      label: `${w.id}: ${o} (${w.routing!.scope} rule v${w.routing!.version})`,
      href: `/admin/v1/routing/rules/${w.routing!.scope}/${encodeURIComponent(w.routing!.scope === "team" ? w.team : w.id)}`,
    }));
    if (distinct.size >= 2) return met(`${plural(distinct.size, "distinct optimisation")} across ${plural(optimising.length, "workload")}: ${[...distinct.keys()].join(", ")}.`, evidence);
    return notMet(
      [`Two workloads whose routing optimises for different criteria (lowest_cost, lowest_latency, or score with different dominant weights); found ${distinct.size ? [...distinct.keys()].join(", ") : "none"}.`],
      evidence,
    );
  },
};

const failoverDrills: Criterion = {
  id: "l2.failover-drills-monthly",
  layer: "layer-2",
  text: "Automated failover tests have run for at least two consecutive months with documented results.",
  action: "Keep the daily failover-drills cron running against a catalog model with at least two targets; fix failing drills.",
  evaluate(f) {
    const automatic = f.drills.filter((d) => d.trigger === "cron");
    const pair = latestConsecutivePair(automatic.map((d) => d.ts.slice(0, 7)));
    const recentPass = automatic.filter((d) => d.verdict === "pass" && ageDays(d.ts, f.now) <= 31).sort((a, b) => b.ts.localeCompare(a.ts))[0];
    const evidence: Evidence[] = [];
    if (pair) evidence.push({ label: `Scheduled drills in ${pair[1]} and ${pair[0]}`, href: "/admin/v1/failover-drills" });
    if (recentPass) evidence.push({ label: `Passing drill ${recentPass.id}`, href: "/admin/v1/failover-drills", at: recentPass.ts });
    const missing: string[] = [];
    if (!pair) missing.push(`Scheduled (cron) failover drills in two consecutive months; found drills in ${[...new Set(automatic.map((d) => d.ts.slice(0, 7)))].join(", ") || "no month"}.`);
    // Monthly is the floor: a drill record older than 31 days means the schedule stopped.
    if (!recentPass) missing.push("A passing scheduled failover drill in the last 31 days.");
    if (missing.length) return notMet(missing, evidence);
    return met(`Scheduled drills in ${pair![1]} and ${pair![0]}; last pass ${recentPass!.ts.slice(0, 10)}.`, evidence);
  },
};

const regional: Criterion = {
  id: "l2.regional-deployment",
  layer: "layer-2",
  text: "Regional deployment is operational (if applicable) or documented as not required with rationale.",
  action: "Deploy an edge and register a provider in every zone where a team resides (scripts/deploy-regions.mjs, PUT /admin/v1/providers/:id).",
  evaluate(f: MaturityFacts) {
    const zones = Object.keys(f.regions.teamZones).sort();
    const evidence: Evidence[] = [
      { label: `Team residency: ${zones.map((z) => `${z} ${f.regions.teamZones[z]}`).join(", ") || "no teams"}`, href: "/admin/v1/teams" },
      { label: `Provider regions: ${Object.entries(f.regions.providerRegions).map(([r, n]) => `${r} ${n}`).join(", ") || "none"}`, href: "/admin/v1/providers" },
    ];
    if (zones.length === 0) return notMet(["At least one team with a residency zone."], evidence);
    if (zones.length === 1) {
      return notApplicable(`Every team resides in zone ${zones[0]}: no residency requirement spans regions, so one regional deployment serves all (re-evaluated live; a team in another zone makes this applicable).`, evidence);
    }
    const missing: string[] = [];
    for (const z of zones) {
      if (!f.regions.providerRegions[z]) missing.push(`A provider endpoint in zone ${z} (${plural(f.regions.teamZones[z], "team")} reside there).`);
      if (!f.regions.edges.includes(z)) missing.push(`An edge for zone ${z} (REGION_EDGES of the ${f.region} edge does not list it).`);
    }
    if (missing.length) return notMet(missing, evidence);
    return met(`Zones ${zones.join(", ")} each have an edge and provider endpoints.`, evidence);
  },
};

const tieredLogging: Criterion = {
  id: "l2.tiered-logging-audited",
  layer: "layer-2",
  readsZones: true,
  text: "Tiered prompt logging is enforced and at least one audit has verified that Restricted-tier content is not present in accessible logs.",
  action: "Run the restricted-content audit (POST /admin/v1/audits/restricted; it also runs daily) and fix any violation it reports.",
  evaluate(f) {
    const sorted = [...f.restrictedAudits].sort((a, b) => b.ts.localeCompare(a.ts));
    const latest = sorted[0];
    const lastOk = sorted.find((a) => a.ok);
    const evidence: Evidence[] = sorted.slice(0, 3).map((a) => ({ label: `Restricted audit ${a.id}: ${a.ok ? "clean" : "violations"}`, href: regionHref("/admin/v1/audits/restricted", a.region), at: a.ts }));
    if (!latest) return notMet(["A restricted-content audit report (none has run)."]);
    // A clean audit proves enforcement only until the next one finds something.
    if (!latest.ok) return notMet([`A clean latest audit: ${latest.id} (${latest.ts.slice(0, 10)}) found restricted content in a log store.`], evidence);
    return met(`Latest audit ${lastOk!.id} (${lastOk!.ts.slice(0, 10)}) found no restricted content; ${plural(sorted.length, "audit")} on record.`, evidence);
  },
};

export const layer2Criteria: readonly Criterion[] = [multiSignal, failoverDrills, regional, tieredLogging];
