/** Criteria of sustaining as pure functions: the record that meets each, the change that flips it, the missing text. */
import { describe, expect, it } from "vitest";
import { ago, judge } from "./testing";

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
