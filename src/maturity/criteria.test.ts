/**
 * Each criterion as a pure function: the record that makes it met, the one that flips it, and
 * the missing text a reader acts on.
 */
import { describe, expect, it } from "vitest";
import { ALL_CRITERIA } from "./assess";
import type { MaturityFacts } from "./facts";
import { optimisationOf } from "./layer-2";
import { emptyFacts, fullFacts } from "./testing";
import { latestConsecutivePair, previousMonth } from "./types";

const NOW = Date.parse("2026-12-02T12:00:00Z");
const DAY = 86_400_000;
const ago = (d: number) => new Date(NOW - d * DAY).toISOString();

function judge(id: string, change: (f: MaturityFacts) => void = () => {}, base = fullFacts(NOW)) {
  change(base);
  const c = ALL_CRITERIA.find((x) => x.id === id);
  if (!c) throw new Error(`no criterion ${id}`);
  return c.evaluate(base);
}

describe("month helpers", () => {
  it("finds the latest consecutive pair across a year boundary", () => {
    expect(previousMonth("2027-01")).toBe("2026-12");
    expect(latestConsecutivePair(["2026-12", "2027-01", "2026-06"])).toEqual(["2027-01", "2026-12"]);
    expect(latestConsecutivePair(["2026-09", "2026-11"])).toBeUndefined();
  });
});

describe("layer 1: governance", () => {
  it("needs two applied evidence-based changes with measured impact", () => {
    expect(judge("l1.evidence-based-policy-changes").status).toBe("met");
    const v = judge("l1.evidence-based-policy-changes", (f) => { f.governance.proposals[1].impactMeasured = false; });
    expect(v.status).toBe("not_met");
    expect(v.missing.join(" ")).toMatch(/1 more applied governance proposal.*p2 is applied but its impact is not measured/);
    expect(judge("l1.evidence-based-policy-changes", (f) => { f.governance.proposals[0].hasEvidence = false; }).status).toBe("not_met");
  });

  it("needs compliance reports delivered for two consecutive months", () => {
    const v = judge("l1.compliance-reports-distributed", (f) => { f.reports[0].status = "failed"; });
    expect(v.status).toBe("not_met");
    expect(v.missing.join(" ")).toMatch(/Undelivered compliance reports: .*\(failed\)/);
    // Generated automatically still counts for layer 3, which does not ask for distribution.
    expect(judge("l3.compliance-reports-automatic", (f) => { f.reports[0].status = "failed"; }).status).toBe("met");
    expect(judge("l3.compliance-reports-automatic", (f) => { f.reports[0].trigger = "api"; }).status).toBe("not_met");
  });

  it("needs change history, an intact chain and a consistency check", () => {
    expect(judge("l1.version-controlled-artifacts", (f) => { f.governance.versions.pop(); }).missing).toEqual(["Change history: at least one change applied after the first version (found only version 1)."]);
    expect(judge("l1.version-controlled-artifacts", (f) => { f.governance.chainBrokenAt = 2; }).missing[0]).toMatch(/hash chain breaks at version 2/);
  });

  it("needs the regulatory map reviewed in the most recent closed quarterly review", () => {
    const v = judge("l1.regulatory-mapping-reviewed", (f) => { f.governance.regulatoryMap!.reviewed = "2026-01-01"; });
    expect(v.status).toBe("not_met");
    expect(v.missing[0]).toMatch(/reviewed in review 2026-Q4 \(last reviewed 2026-01-01\)/);
    expect(judge("l1.regulatory-mapping-reviewed", (f) => { f.governance.reviews[0].status = "open"; }).missing).toContain("A closed quarterly governance review.");
  });
});

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

describe("layer 3: operations", () => {
  it("needs an applied tuning with measured impact", () => {
    const v = judge("l3.guardrail-tuned", (f) => { f.guardrailRecommendations[0].impactMeasured = false; });
    expect(v.missing[0]).toMatch(/Impact of applied recommendation g1 \(due /);
  });

  it("needs two consecutive months of org forecasts within 15%", () => {
    const v = judge("l3.forecast-accuracy", (f) => { f.forecastAccuracy[1].error = 0.2; });
    expect(v.status).toBe("not_met");
    expect(v.missing[0]).toMatch(/within 15% for .* \(error 20.0%\)/);
    expect(judge("l3.forecast-accuracy", (f) => { f.forecastAccuracy[1].error = 0.15; }).status).toBe("met");
    expect(judge("l3.forecast-accuracy", (f) => { f.forecastAccuracy.forEach((a) => (a.scope = "team")); }).status).toBe("not_met");
  });

  it("needs answered surveys and a documented review", () => {
    const v = judge("l3.nps-reviewed", (f) => { f.npsInvestigations = []; });
    expect(v.missing[0]).toMatch(/documented review/);
    expect(judge("l3.nps-reviewed", (f) => { f.npsInvestigations = []; f.knowledge.npsLessons = 1; }).status).toBe("met");
    expect(judge("l3.nps-reviewed", (f) => { f.surveys[0].responses = 0; }).missing[0]).toMatch(/1 round opened, none answered/);
  });

  it("needs an incident whose runbook recorded automated steps", () => {
    expect(judge("l3.runbook-triggered", (f) => { f.incidents[0].automatedSteps = 0; }).status).toBe("not_met");
  });
});

describe("layer 4: workloads", () => {
  it("needs 100 golden examples and declared categories for every active workload", () => {
    const v = judge("l4.golden-datasets", (f) => { f.datasets[1].examples = 60; f.routing.workloads[0].inputCategories = 0; });
    expect(v.missing).toEqual(["chat: declared input_categories, so dataset coverage is measured.", "batch: 40 more golden examples (v2 has 60)."]);
    // Dev workloads are not active yet: they do not count.
    expect(judge("l4.golden-datasets", (f) => { f.routing.workloads.push({ id: "proto", team: "t1", lifecycle: "dev", inputCategories: 0, samplingRate: 0 }); }).status).toBe("met");
  });

  it("needs an adversarial run in the last 31 days for each active workload", () => {
    expect(judge("l4.adversarial-ci", (f) => { f.evalRuns[0].createdAt = ago(45); }).missing[0]).toMatch(/^chat: an adversarial suite run in the last 31 days \(last /);
  });

  it("needs sampling on and recent samples for production workloads", () => {
    const v = judge("l4.production-sampling", (f) => { f.routing.workloads[0].samplingRate = 0; delete f.samplesByWorkload.batch; });
    expect(v.missing).toEqual(["chat: a sampling rate above 0 (sampling is off).", "batch: a production sample in the last 14 days (rate 5%; no recent traffic sampled)."]);
  });

  it("needs a documented upgrade decision and an approved transition", () => {
    expect(judge("l4.model-upgrade-evaluated", (f) => { f.evalRecommendations[0].decision = "pending"; }).status).toBe("not_met");
    expect(judge("l4.lifecycle-transition", (f) => { f.transitions[0].approvedBy = null; }).status).toBe("not_met");
  });
});

describe("layer 5: agent security", () => {
  it("refuses unconditional wildcard grants and needs one parameter restriction", () => {
    const v = judge("l5.parameter-authorization", (f) => { f.agents[0].unconditionalWildcards = 1; });
    expect(v.missing).toEqual(["planner: tool-level authorization (it holds 1 unconditional \"*\" grant)."]);
    expect(judge("l5.parameter-authorization", (f) => f.agents.forEach((a) => (a.parameterGrants = 0))).missing).toEqual(["At least one grant restricted by a parameter condition (`when`)."]);
  });

  it("needs a recent scan and no open discovery", () => {
    const v = judge("l5.shadow-discovery", (f) => { f.discoveries.push({ id: "disc9", status: "open", firstSeen: ago(2), resolvedAt: null }); });
    expect(v.missing).toEqual([`Resolution of discovery disc9 (open since ${ago(2).slice(0, 10)}).`]);
    expect(judge("l5.shadow-discovery", (f) => { f.lastDiscoveryRunAt = ago(40); f.discoveries = []; }).missing[0]).toMatch(/in the last 31 days/);
  });

  it("needs a traced delegation, completed access review and investigated deviation", () => {
    expect(judge("l5.delegation-traced", (f) => { f.delegationTraces = []; }).status).toBe("not_met");
    expect(judge("l5.access-review", (f) => { f.accessReviews[0].status = "open"; f.accessReviews[0].decided = 1; }).missing).toEqual(["Decisions on 3 of 4 items of access review 2026-Q4."]);
    const b = judge("l5.behavioral-baselines", (f) => { f.agents[1].hasBaseline = false; f.baselineDeviations[0].investigated = false; });
    expect(b.missing).toHaveLength(2);
    expect(b.missing[0]).toMatch(/^worker: a behavioural baseline/);
    // An agent active for less than 30 days is not owed a baseline yet.
    expect(judge("l5.behavioral-baselines", (f) => { f.agents[1].hasBaseline = false; f.agents[1].firstCallAt = ago(10); }).status).toBe("met");
  });

  it("needs a key for every agent when A2A calls exist", () => {
    expect(judge("l5.mutual-auth", (f) => { f.agents[0].hasKey = false; }).missing[0]).toMatch(/^planner: a registered public key/);
  });
});

describe("sustaining", () => {
  it("needs a snapshot within a quarter and no investigation open over 30 days", () => {
    expect(judge("s.quarterly-reassessment", (f) => { f.maturity.snapshots[0].takenAt = ago(100); }).missing[0]).toMatch(/in the last 92 days/);
    expect(judge("s.quarterly-reassessment", (f) => { f.maturity.investigations.push({ id: "mi2", openedAt: ago(45), status: "open" }); }).missing[0]).toMatch(/mi2/);
  });

  it("needs a completed annual review within a year", () => {
    expect(judge("s.annual-review", (f) => { f.maturity.reviews[0].done = 5; }).missing).toEqual(["Completion of annual review 2026: 3 of 8 items open."]);
  });

  it("needs automated recommendations decided within 30 days", () => {
    const v = judge("s.feedback-loops", (f) => { f.feedback.waiting[0].createdAt = ago(45); });
    expect(v.missing[0]).toMatch(/^A decision on guardrail recommendation g2, waiting since/);
  });

  it("needs every kind of knowledge in the base", () => {
    expect(judge("s.knowledge-sharing", (f) => { f.knowledge.lessons = 0; }).missing).toEqual(["At least a lesson learned in the knowledge base."]);
  });
});
