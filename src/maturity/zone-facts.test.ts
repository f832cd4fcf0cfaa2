import { describe, expect, it } from "vitest";
import { mergeIncidentDocs } from "../knowledge/sources";
import { assess } from "./assess";
import { fullFacts } from "./testing";
import { regionHref } from "./types";
import { EMPTY_ZONE_FACTS, mergeZoneFacts, mergeZoneFactsParts, type ZoneFacts } from "./zone-facts";

const NOW = Date.parse("2026-12-02T12:00:00Z");

const zone = (over: Partial<ZoneFacts>): ZoneFacts => ({ ...EMPTY_ZONE_FACTS, ...over });
const report = (id: string, period: string, region?: string) => ({ id, kind: "compliance", period, trigger: "cron", status: "sent", createdAt: `${period}-28T06:00:00Z`, ...(region ? { region } : {}) });
const incident = (id: string, detectedAt: string, region?: string) => ({ id, kind: "provider_outage", drill: true, status: "resolved", detectedAt, automatedSteps: 2, ...(region ? { region } : {}) });

describe("mergeZoneFacts", () => {
  it("adds counts, keeps the earlier first call per agent, and concatenates lists", () => {
    const us = zone({ incidentCount: 2, firstCalls: { a1: "2026-05-01T00:00:00Z", a2: "2026-07-01T00:00:00Z" }, incidents: [incident("inc_1", "2026-11-01", "us")] });
    const eu = zone({ incidentCount: 3, firstCalls: { a1: "2026-03-01T00:00:00Z", a3: "2026-08-01T00:00:00Z" }, incidents: [incident("inc_2", "2026-11-02", "eu")] });
    const m = mergeZoneFacts(us, eu);
    expect(m.incidentCount).toBe(5);
    expect(m.firstCalls).toEqual({ a1: "2026-03-01T00:00:00Z", a2: "2026-07-01T00:00:00Z", a3: "2026-08-01T00:00:00Z" });
    expect(m.incidents.map((i) => [i.id, i.region])).toEqual([["inc_1", "us"], ["inc_2", "eu"]]);
    // The empty facts are the identity.
    expect(mergeZoneFacts(EMPTY_ZONE_FACTS, us)).toEqual(us);
  });

  it("dedupes a record seen twice from one region, but keeps same-named records of two zones", () => {
    const a = zone({ reports: [report("rep_compliance_2026-10", "2026-10", "us")] });
    const twice = mergeZoneFacts(a, a);
    expect(twice.reports).toHaveLength(1);
    const b = zone({ reports: [report("rep_compliance_2026-10", "2026-10", "eu")] });
    expect(mergeZoneFacts(a, b).reports.map((r) => r.region)).toEqual(["us", "eu"]);
    const f1 = zone({ forecastAccuracy: [{ month: "2026-10", scope: "org", subject: "org", error: 0.1, region: "eu" }] });
    expect(mergeZoneFacts(f1, f1).forecastAccuracy).toHaveLength(1);
  });

  it("flags every record of a fan-out part with its region; a malformed part counts as empty", () => {
    const merged = mergeZoneFactsParts([
      { region: "us", body: zone({ incidents: [incident("inc_1", "2026-11-01")], incidentCount: 1 }) },
      { region: "eu", body: zone({ reports: [report("rep_1", "2026-11")], incidentCount: 4, firstCalls: { a: "2026-01-01" } }) },
      { region: "apac", body: "not facts" },
    ]);
    expect(merged.incidents[0].region).toBe("us");
    expect(merged.reports[0].region).toBe("eu");
    expect(merged.incidentCount).toBe(5);
    expect(merged.firstCalls).toEqual({ a: "2026-01-01" });
  });
});

describe("zone coverage in the assessment", () => {
  it("a failed region makes every criterion that reads zone records say so in missing", () => {
    const facts = { ...fullFacts(NOW), zones: { answered: ["us", "apac"], failed: [{ region: "eu", status: null, reason: "unreachable" }], partial: true } };
    const a = assess(facts);
    expect(a.regions.partial).toBe(true);
    const criteria = a.layers.flatMap((l) => l.criteria);
    const runbook = criteria.find((c) => c.id === "l3.runbook-triggered")!;
    expect(runbook.missing).toEqual([expect.stringMatching(/region eu, which did not answer \(unreachable\).*us, apac only/)]);
    // Control-plane criteria are whole whatever the zones answer.
    expect(criteria.find((c) => c.id === "l4.golden-datasets")!.missing).toEqual([]);
    const flagged = criteria.filter((c) => c.missing.some((m) => m.includes("region eu"))).map((c) => c.id);
    expect(flagged).toContain("l1.compliance-reports-distributed");
    expect(flagged).toContain("s.knowledge-sharing");
    expect(flagged).not.toContain("l1.version-controlled-artifacts");
  });

  it("with every region answering, verdicts are as before and carry no zone gaps", () => {
    const a = assess(fullFacts(NOW));
    expect(a.regions).toEqual({ answered: ["us"], failed: [], partial: false });
    expect(a.layers.flatMap((l) => l.criteria).flatMap((c) => c.missing)).toEqual([]);
  });
});

describe("region links", () => {
  it("adds ?region= or &region= only when the record's zone is known", () => {
    expect(regionHref("/admin/v1/reports/rep_1", "eu")).toBe("/admin/v1/reports/rep_1?region=eu");
    expect(regionHref("/admin/v1/alerts?kind=x", "apac")).toBe("/admin/v1/alerts?kind=x&region=apac");
    expect(regionHref("/admin/v1/reports/rep_1", undefined)).toBe("/admin/v1/reports/rep_1");
  });

  it("incident candidates of the knowledge search are flagged and linked to their region", () => {
    const doc = { kind: "incident" as const, id: "inc_9", title: "Outage", body: "b", href: "/admin/v1/incidents/inc_9", at: "2026-11-01" };
    const merged = mergeIncidentDocs([{ region: "us", body: { data: [] } }, { region: "eu", body: { data: [doc] } }, { region: "apac", body: null }]);
    expect(merged.data).toEqual([{ ...doc, region: "eu", href: "/admin/v1/incidents/inc_9?region=eu" }]);
  });
});
