/** Criteria of layer-4 as pure functions: the record that meets each, the change that flips it, the missing text. */
import { describe, expect, it } from "vitest";
import { ago, judge } from "./testing";

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
