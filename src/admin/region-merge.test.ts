import { describe, expect, it } from "vitest";
import { mergeLogs, mergeReports, mergeUsage, regionsReport } from "./region-merge";

describe("merging admin reads across regions", () => {
  it("flags usage rows with their region, sorts by the grouping, and sums the totals", () => {
    const merged = mergeUsage([
      { region: "us", body: { group_by: ["model"], data: [{ model: "b", requests: 1, cost_nusd: 1_000_000_000 }] } },
      { region: "eu", body: { group_by: ["model"], data: [{ model: "b", requests: 2, cost_nusd: 500_000_000 }, { model: "a", requests: 4 }] } },
    ]);
    expect(merged.data.map((r) => [r.model, r.region])).toEqual([["a", "eu"], ["b", "eu"], ["b", "us"]]);
    expect(merged.totals).toMatchObject({ requests: 7, cost_nusd: 1_500_000_000, cost_usd: 1.5 });
    expect(merged.group_by).toEqual(["model"]);
  });

  it("keeps the newest logs across regions up to the limit", () => {
    const merged = mergeLogs([
      { region: "us", body: { data: [{ request_id: "u1", ts: "2026-01-01T00:00:03Z" }, { request_id: "u2", ts: "2026-01-01T00:00:01Z" }] } },
      { region: "apac", body: { data: [{ request_id: "a1", ts: "2026-01-01T00:00:02Z" }] } },
    ], new URLSearchParams("limit=2"));
    expect(merged.data.map((r) => [r.request_id, r.region])).toEqual([["u1", "us"], ["a1", "apac"]]);
  });

  it("lists reports newest first and ignores answers that are not lists", () => {
    const merged = mergeReports([
      { region: "eu", body: [{ id: "rep_b", created_at: "2026-02-01" }] },
      { region: "us", body: [{ id: "rep_a", created_at: "2026-03-01" }] },
      { region: "apac", body: { unexpected: true } },
    ]);
    expect(merged.map((r) => [r.id, r.region])).toEqual([["rep_a", "us"], ["rep_b", "eu"]]);
  });

  it("says which regions answered and marks a partial answer", () => {
    expect(regionsReport(["us", "eu"], [])).toEqual({ answered: ["us", "eu"], failed: [], partial: false });
    const failed = [{ region: "eu", status: null, reason: "unreachable" }];
    expect(regionsReport(["us", "eu"], failed)).toEqual({ answered: ["us"], failed, partial: true });
  });
});
