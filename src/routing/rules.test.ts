import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY, RoutingRulePut, compileRules, diffRules, mergeRules, type CompiledRule } from "./rules";

const rule = (scope: "team" | "workload", subject: string, version: number, spec: CompiledRule["spec"]): CompiledRule => ({ scope, subject, version, spec });

describe("routing rules", () => {
  it("validates with zod and refuses unknown fields and bad values", () => {
    expect(RoutingRulePut.safeParse({ strategy: "lowest_cost", retry: { max_retries: 2 } }).success).toBe(true);
    expect(RoutingRulePut.safeParse({ strategy: "cheapest" }).success).toBe(false);
    expect(RoutingRulePut.safeParse({ strategy: "ordered", colour: "red" }).success).toBe(false);
    expect(RoutingRulePut.safeParse({ retry: { max_retries: 50 } }).success).toBe(false);
    expect(RoutingRulePut.safeParse({ pin: ["Bad Id"] }).success).toBe(false);
  });

  it("merges: workload wins on strategy and retry, exclusions add up, pins intersect", () => {
    const team = rule("team", "acme", 2, { strategy: "lowest_cost", exclude: ["x"], pin: ["a", "b"], prefer: { a: 1, b: 2 }, retry: { max_retries: 3 } });
    const wl = rule("workload", "chat", 5, { strategy: "lowest_latency", exclude: ["y"], pin: ["b", "c"], prefer: { b: 9 } });
    const m = mergeRules(team, wl);
    expect(m.strategy).toBe("lowest_latency");
    expect([...m.exclude].sort()).toEqual(["x", "y"]);
    expect([...m.pin!]).toEqual(["b"]);
    expect(m.prefer).toEqual({ a: 1, b: 9 });
    expect(m.retry).toEqual({ ...DEFAULT_RETRY, max_retries: 3 });
    expect(m.label).toBe("workload:chat@v5+team:acme@v2");
    expect(mergeRules(undefined, undefined).label).toBe("default");
    expect(mergeRules(team, undefined).strategy).toBe("lowest_cost");
  });

  it("compiles the latest rows, skipping deletions and rows that no longer parse", () => {
    const warnings: string[] = [];
    const m = compileRules([
      { scope: "team", subject: "a", version: 3, spec: '{"strategy":"score"}' },
      { scope: "team", subject: "b", version: 2, spec: null },
      { scope: "workload", subject: "c", version: 1, spec: '{"strategy":"nope"}' },
    ], warnings);
    expect([...m.keys()]).toEqual(["team:a"]);
    expect(m.get("team:a")!.version).toBe(3);
    expect(warnings).toHaveLength(1);
  });

  it("diffs two versions field by field", () => {
    expect(diffRules({ strategy: "ordered", retry: { max_retries: 1 } }, { strategy: "lowest_cost", retry: { max_retries: 1, deadline_ms: 500 } })).toEqual([
      { path: "retry.deadline_ms", from: null, to: 500 },
      { path: "strategy", from: "ordered", to: "lowest_cost" },
    ]);
    expect(diffRules(null, { strategy: "score" })).toEqual([{ path: "(rule)", from: null, to: { strategy: "score" } }]);
  });
});
