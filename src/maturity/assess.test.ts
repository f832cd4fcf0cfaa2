import { describe, expect, it } from "vitest";
import { ALL_CRITERIA, assess, scoreOf } from "./assess";
import { recommendationId, recommendationsFor } from "./recommendations";
import { annualChecklist, FRAMEWORK_ITEMS } from "./reviews";
import { regressionBetween, snapshotOf } from "./snapshots";
import { emptyFacts, fullFacts } from "./testing";

const NOW = Date.parse("2026-12-02T12:00:00Z");

describe("assess", () => {
  it("covers every exit-criteria bullet of the requirements: 4, 4, 5, 5, 6 and 4 sustaining practices", () => {
    const perLayer = assess(emptyFacts(NOW)).layers.map((l) => [l.id, l.criteria.length]);
    expect(perLayer).toEqual([["layer-1", 4], ["layer-2", 4], ["layer-3", 5], ["layer-4", 5], ["layer-5", 6], ["sustaining", 4]]);
    expect(new Set(ALL_CRITERIA.map((c) => c.id)).size).toBe(ALL_CRITERIA.length);
    for (const c of ALL_CRITERIA) expect(c.id).toMatch(c.layer === "sustaining" ? /^s\.[a-z0-9-]+$/ : new RegExp(`^l${c.layer.slice(-1)}\\.[a-z0-9-]+$`));
  });

  it("marks nothing met for an organisation without records, and says what is missing for each", () => {
    const a = assess(emptyFacts(NOW));
    const all = a.layers.flatMap((l) => l.criteria);
    expect(all.filter((c) => c.status === "met")).toEqual([]);
    for (const c of all.filter((x) => x.status === "not_met")) expect(c.missing.length, c.id).toBeGreaterThan(0);
    // Not applicable only with a reason: no A2A callee exists, so mutual auth has nothing to cover.
    expect(all.filter((c) => c.status === "not_applicable").map((c) => c.id)).toEqual(["l5.mutual-auth"]);
    expect(all.find((c) => c.id === "l5.mutual-auth")!.reason).toMatch(/no a2a_url/);
    expect(a.score.percent).toBe(0);
  });

  it("marks every criterion met, with evidence links to admin API records, when the records exist", () => {
    const a = assess(fullFacts(NOW));
    const notMet = a.layers.flatMap((l) => l.criteria).filter((c) => c.status !== "met");
    expect(notMet.map((c) => [c.id, c.missing])).toEqual([]);
    for (const c of a.layers.flatMap((l) => l.criteria)) {
      expect(c.missing).toEqual([]);
      expect(c.evidence.length, c.id).toBeGreaterThan(0);
      for (const e of c.evidence) expect(e.href).toMatch(/^\/admin\/v1\//);
    }
    expect(a.score).toEqual({ met: 28, not_met: 0, not_applicable: 0, total: 28, percent: 100 });
    expect(a.assessed_at).toBe("2026-12-02T12:00:00.000Z");
  });

  it("filters to one layer", () => {
    const a = assess(fullFacts(NOW), { layer: "layer-3" });
    expect(a.layers.map((l) => l.id)).toEqual(["layer-3"]);
    expect(a.score.total).toBe(5);
  });

  it("scores met ÷ (total − not applicable) with one decimal", () => {
    expect(scoreOf([{ status: "met" }, { status: "not_met" }, { status: "not_met" }])).toEqual({ met: 1, not_met: 2, not_applicable: 0, total: 3, percent: 33.3 });
    expect(scoreOf([{ status: "met" }, { status: "not_applicable" }]).percent).toBe(100);
    expect(scoreOf([{ status: "not_applicable" }]).percent).toBe(0);
  });

  it("reports a criterion that throws as not met with the error instead of failing the assessment", () => {
    const broken = { ...ALL_CRITERIA[0], evaluate: () => { throw new Error("boom"); } };
    const a = assess(emptyFacts(NOW), { criteria: [broken] });
    expect(a.layers[0].criteria[0]).toMatchObject({ status: "not_met", missing: ["Evaluation error: boom"] });
  });
});

describe("snapshots and regressions", () => {
  it("finds a decrease and names the criteria that stopped being met", () => {
    const before = snapshotOf(assess(fullFacts(NOW)));
    const facts = fullFacts(NOW);
    facts.drills = [];
    const after = snapshotOf(assess(facts));
    expect(after.byLayer["layer-2"]).toBe(75);
    expect(regressionBetween(before, after)).toEqual({ from: 100, to: after.percent, regressed: ["l2.failover-drills-monthly"] });
    expect(regressionBetween(after, before)).toBeUndefined();
    expect(regressionBetween(after, after)).toBeUndefined();
  });
});

describe("recommendations and annual review", () => {
  it("drafts one recommendation per not-met criterion with a stable id", () => {
    const facts = fullFacts(NOW);
    facts.restrictedAudits = [{ id: "a9", ts: new Date(NOW).toISOString(), ok: false }];
    const drafts = recommendationsFor(assess(facts));
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({ id: recommendationId("l2.tiered-logging-audited"), criterion_id: "l2.tiered-logging-audited" });
    expect(drafts[0].text).toContain("a9");
    expect(drafts[0].action).toMatch(/audits\/restricted/);
    expect(recommendationsFor(assess(facts)).map((d) => d.id)).toEqual(drafts.map((d) => d.id));
  });

  it("builds the annual checklist from the framework questions, the gaps and the not-applicable decisions", () => {
    const items = annualChecklist(assess(emptyFacts(NOW)));
    expect(items.slice(0, FRAMEWORK_ITEMS.length)).toEqual(FRAMEWORK_ITEMS);
    expect(items.filter((i) => i.id.startsWith("gap."))).toHaveLength(27);
    expect(items.find((i) => i.id === "na.l5.mutual-auth")?.criterion_id).toBe("l5.mutual-auth");
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    expect(annualChecklist(assess(fullFacts(NOW)))).toEqual(FRAMEWORK_ITEMS);
  });
});
