/** Criteria of layer-5 as pure functions: the record that meets each, the change that flips it, the missing text. */
import { describe, expect, it } from "vitest";
import { ago, judge } from "./testing";

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
