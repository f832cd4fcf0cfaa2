/** Criteria of layer-1 as pure functions: the record that meets each, the change that flips it, the missing text. */
import { describe, expect, it } from "vitest";
import { judge } from "./testing";

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
