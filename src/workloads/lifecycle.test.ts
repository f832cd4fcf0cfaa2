import { describe, expect, it } from "vitest";
import { checkTransition, mayApprove, type TransitionFacts } from "./lifecycle";

const now = Date.parse("2026-06-01T00:00:00Z");
const ready: TransitionFacts = {
  from: "staging", to: "production", now, settings: { owner: "ann@acme.example" },
  dataset: { version: 2, examples: 120, coverage: 0.9 }, adversarial: { run: "run_1", pass_rate: 0.95, complete: true },
};

describe("lifecycle transitions", () => {
  it("production: passes with dataset ≥ 100, coverage, adversarial gate and owner, and needs approval", () => {
    expect(checkTransition(ready)).toMatchObject({ allowed: true, missing: [], needs_approval: true });
  });
  it("production: a refusal names everything missing", () => {
    const r = checkTransition({ ...ready, settings: {}, dataset: { version: 1, examples: 40, coverage: 0.5 }, adversarial: { run: "run_2", pass_rate: 0.5, complete: true } });
    expect(r.allowed).toBe(false);
    expect(r.missing.join("\n")).toMatch(/at least 100 examples \(v1 has 40\)/);
    expect(r.missing.join("\n")).toMatch(/coverage of at least 0.8/);
    expect(r.missing.join("\n")).toMatch(/adversarial gate \(run run_2 passed 0.50 < 0.8\)/);
    expect(r.missing.join("\n")).toMatch(/an owner/);
    expect(checkTransition({ ...ready, dataset: undefined, adversarial: undefined }).missing).toHaveLength(2);
    expect(checkTransition({ ...ready, adversarial: { run: "r", pass_rate: 1, complete: false } }).missing[0]).toMatch(/still running/);
    expect(checkTransition({ ...ready, settings: { owner: "x", coverage: { min_examples: 5, threshold: 0.95 } } }).allowed).toBe(false);
  });
  it("deprecated: needs a future sunset date and a migration plan; no approval", () => {
    const base = { ...ready, from: "production" as const, to: "deprecated" as const };
    expect(checkTransition(base).missing).toEqual(["a sunset date (`sunset_at`, ISO 8601)", "a migration plan (`migration_plan`)"]);
    expect(checkTransition({ ...base, sunset_at: "2026-01-01T00:00:00Z", migration_plan: "use v2" }).missing).toEqual(["a sunset date in the future"]);
    expect(checkTransition({ ...base, sunset_at: "2026-09-01T00:00:00Z", migration_plan: "use v2" })).toMatchObject({ allowed: true, needs_approval: false });
  });
  it("only defined edges exist", () => {
    expect(checkTransition({ ...ready, from: "dev", to: "production" }).missing[0]).toMatch(/no transition from dev to production/);
    expect(checkTransition({ ...ready, from: "decommissioned", to: "dev" }).allowed).toBe(false);
    expect(checkTransition({ ...ready, from: "deprecated", to: "decommissioned" })).toMatchObject({ allowed: true, needs_approval: true });
  });
  it("a requester cannot approve their own transition", () => {
    expect(mayApprove("ann", "ann")).toBe(false);
    expect(mayApprove("ann", "bob")).toBe(true);
  });
});
