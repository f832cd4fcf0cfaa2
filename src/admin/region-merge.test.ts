import { describe, expect, it } from "vitest";
import { mergeAgentCalls, mergeDelegation, mergeLogs, mergeReports, mergeUsage, regionsReport } from "./region-merge";

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

  it("puts a delegation chain back together from the zones that processed its steps", () => {
    const merged = mergeDelegation([
      { region: "us", body: { trace: "trc_1", events: [{ kind: "issued", ts: "2026-01-01T00:00:00Z", chain: ["a"] }], calls: [] } },
      { region: "eu", body: { trace: "trc_1", events: [{ kind: "exchanged", ts: "2026-01-01T00:00:01Z", chain: ["a", "b"] }], calls: [{ tool: "q", ts: "2026-01-01T00:00:02Z" }] } },
    ]);
    expect(merged.events.map((e) => [e.kind, e.region])).toEqual([["issued", "us"], ["exchanged", "eu"]]);
    expect(merged).toMatchObject({ trace: "trc_1", chain: ["a", "b"], depth: 1, calls: [{ tool: "q", region: "eu" }] });
    const calls = mergeAgentCalls([{ region: "eu", body: { data: [{ ts: "1" }, { ts: "3" }] } }, { region: "us", body: { data: [{ ts: "2" }] } }], new URLSearchParams("limit=2"));
    expect(calls.data.map((c) => [c.ts, c.region])).toEqual([["3", "eu"], ["2", "us"]]);
  });

  it("says which regions answered and marks a partial answer", () => {
    expect(regionsReport(["us", "eu"], [])).toEqual({ answered: ["us", "eu"], failed: [], partial: false });
    const failed = [{ region: "eu", status: null, reason: "unreachable" }];
    expect(regionsReport(["us", "eu"], failed)).toEqual({ answered: ["us"], failed, partial: true });
  });
});
