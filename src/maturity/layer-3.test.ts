/** Criteria of layer-3 as pure functions: the record that meets each, the change that flips it, the missing text. */
import { describe, expect, it } from "vitest";
import { judge } from "./testing";

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
