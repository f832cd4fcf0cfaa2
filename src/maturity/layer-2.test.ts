/** Criteria of layer-2 as pure functions: the record that meets each, the change that flips it, the missing text. */
import { describe, expect, it } from "vitest";
import { ago, emptyFacts, judge, NOW } from "./testing";
import { optimisationOf } from "./layer-2";

describe("layer 2: gateway", () => {
  it("needs two workloads optimising for different criteria", () => {
    expect(optimisationOf({ routing: { strategy: "score", dominantSignal: "cost", scope: "workload", version: 1 } })).toBe("score:cost");
    expect(optimisationOf({ routing: { strategy: "ordered", scope: "workload", version: 1 } })).toBeUndefined();
    const same = judge("l2.multi-signal-routing", (f) => { f.routing.workloads[1].routing!.strategy = "lowest_latency"; });
    expect(same.status).toBe("not_met");
    expect(same.missing[0]).toMatch(/found lowest_latency/);
  });

  it("needs scheduled drills in two consecutive months and a pass in the last 31 days", () => {
    const stale = judge("l2.failover-drills-monthly", (f) => { f.drills = f.drills.map((d, i) => ({ ...d, ts: ago(40 + 30 * i) })); });
    expect(stale.missing).toEqual(["A passing scheduled failover drill in the last 31 days."]);
    const manual = judge("l2.failover-drills-monthly", (f) => { f.drills.forEach((d) => (d.trigger = "api")); });
    expect(manual.missing).toHaveLength(2);
    expect(judge("l2.failover-drills-monthly", (f) => { f.drills[0].verdict = "fail"; }).status).toBe("not_met");
  });

  it("is not applicable with a single residency zone, and needs an edge and a provider in every zone otherwise", () => {
    const single = judge("l2.regional-deployment", (f) => { f.regions.teamZones = { us: 3 }; });
    expect(single.status).toBe("not_applicable");
    expect(single.reason).toMatch(/Every team resides in zone us/);
    const v = judge("l2.regional-deployment", (f) => { f.regions.teamZones.apac = 1; f.regions.edges = ["us", "eu"]; });
    expect(v.missing).toEqual(["A provider endpoint in zone apac (1 team reside there).", "An edge for zone apac (REGION_EDGES of the us edge does not list it)."]);
  });

  it("needs the latest restricted audit clean", () => {
    expect(judge("l2.tiered-logging-audited", (f) => { f.restrictedAudits.unshift({ id: "bad", ts: ago(0), ok: false }); }).missing[0]).toMatch(/bad .* found restricted content/);
    expect(judge("l2.tiered-logging-audited", () => {}, emptyFacts(NOW)).missing).toEqual(["A restricted-content audit report (none has run)."]);
  });
});
