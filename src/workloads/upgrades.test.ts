import { describe, expect, it } from "vitest";
import type { RunSummary } from "./runs";
import { recommend, targetChanges } from "./upgrades";

const run = (pass_rate: number, cost_usd: number, p50: number, answered = 10): RunSummary => ({
  id: "r", workload: "w", suite: "golden", model: "m", dataset_version: 1, trigger: "t", created_at: "", status: "completed",
  progress: { done: answered, total: answered }, pass_rate, counts: { pass: Math.round(pass_rate * answered), fail: answered - Math.round(pass_rate * answered), error: 0 }, by_category: {}, mean_score: pass_rate, cost_usd,
  latency_ms: { p50, p90: p50, p99: p50 },
});

describe("model-upgrade recommendations", () => {
  it("finds target version changes for the same provider only", () => {
    const before = { targets: [{ provider: "a", model: "m-1" }, { provider: "b", model: "x" }] };
    expect(targetChanges(before, { targets: [{ provider: "a", model: "m-2" }, { provider: "b", model: "x" }, { provider: "c", model: "y" }] }))
      .toEqual([{ provider: "a", from_model: "m-1", model: "m-2" }]);
    expect(targetChanges(undefined, before)).toEqual([]);
  });
  it("promotes within tolerance and flags each regression", () => {
    expect(recommend(run(0.9, 1, 100), run(0.89, 1.05, 110), run(0.9, 0, 0), 0.8)).toEqual({ decision: "promote", regressions: [] });
    const flagged = recommend(run(0.9, 1, 100), run(0.8, 1.5, 300), run(0.5, 0, 0), 0.8);
    expect(flagged.decision).toBe("flag");
    expect(flagged.regressions.map((r) => r.split(":")[0])).toEqual(["quality", "cost", "latency", "adversarial"]);
    expect(recommend(undefined, run(1, 1, 1), undefined, 0.8).regressions).toEqual(["no production baseline run to compare with"]);
  });
  it("compares latency only with enough answered examples on both sides", () => {
    expect(recommend(run(1, 1, 8, 6), run(1, 1, 149, 6), undefined, 0.8)).toEqual({ decision: "promote", regressions: [] });
    expect(recommend(run(1, 1, 8, 10), run(1, 1, 149, 10), undefined, 0.8).regressions).toEqual(["latency: p50 149 ms > baseline 8 ms"]);
  });
});
