import { describe, expect, it } from "vitest";
import type { HealthView } from "./breaker";
import { chatNeeds } from "./needs";
import { noTargetMessage, planRoute } from "./plan";
import { testBundle } from "./testing";

const bundle = testBundle({
  providers: { "us-a": { region: "us" }, "us-b": { region: "us" }, "eu-a": { region: "eu" } },
  models: {
    m: {
      targets: [
        { provider: "us-a", model: "a", capabilities: { context_window: 100 } },
        { provider: "us-b", model: "b", price: { input_per_mtok: 0.1, output_per_mtok: 0.1 } },
        { provider: "eu-a", model: "c" },
      ],
      routing: { strategy: "ordered" },
    },
  },
  teams: { t: { residency: "us" }, e: { residency: "eu" }, open: { residency: "eu", zone_bound_classes: ["restricted"] } },
  workloads: { w: { team: "t" }, cheap: { team: "t" }, we: { team: "e" } },
  rules: [
    { scope: "team", subject: "t", version: 4, spec: JSON.stringify({ exclude: ["eu-a"] }) },
    { scope: "workload", subject: "cheap", version: 2, spec: JSON.stringify({ strategy: "lowest_cost" }) },
  ],
});
const model = bundle.models.get("m")!;
const needs = chatNeeds({ model: "m", messages: [{ role: "user", content: "hi" }] });

describe("planRoute", () => {
  it("applies the model default, then team and workload rules, naming versions in the reason", () => {
    const w = planRoute(bundle, model, bundle.teams.get("t")!, "public", { workload: bundle.workloads.get("w"), needs });
    expect(w.targets.map((t) => t.provider.id)).toEqual(["us-a", "us-b"]);
    expect(w.reason).toBe("team:t@v4 ordered");
    expect(w.excluded).toEqual([{ provider: "eu-a", why: "excluded by rule" }]);
    const cheap = planRoute(bundle, model, bundle.teams.get("t")!, "public", { workload: bundle.workloads.get("cheap"), needs });
    expect(cheap.targets.map((t) => t.provider.id)).toEqual(["us-b", "us-a"]);
    expect(cheap.reason).toBe("workload:cheap@v2+team:t@v4 lowest_cost");
  });

  it("keeps restricted data in the team's zone and says so when nothing there is healthy", () => {
    const open: HealthView = { state: "open", errorRate: 1, latencyMs: null, ttfbMs: null };
    const p = planRoute(bundle, model, bundle.teams.get("e")!, "restricted", { workload: bundle.workloads.get("we"), needs, health: (pr) => (pr.id === "eu-a" ? open : { ...open, state: "closed" }) });
    expect(p.targets).toEqual([]);
    expect(p.residencyZone).toBe("eu");
    expect(noTargetMessage(p, "m")).toMatch(/No healthy provider in residency zone eu/);
    expect(p.excluded.map((e) => e.why)).toEqual(["outside residency zone eu", "outside residency zone eu", "circuit open"]);
  });

  it("keeps internal data in zone by default; a team's residency policy chooses its zone-bound classes", () => {
    const eu = bundle.teams.get("e")!;
    const internal = planRoute(bundle, model, eu, "internal", { needs });
    expect(internal.targets.map((t) => t.provider.id)).toEqual(["eu-a"]);
    expect(internal.residencyZone).toBe("eu");
    expect(internal.residencyClass).toBe("internal");
    expect(noTargetMessage({ ...internal, targets: [] }, "m")).toMatch(/residency rule: internal data of this team stays in zone eu/);
    const pub = planRoute(bundle, model, eu, "public", { needs });
    expect(pub.targets.map((t) => t.provider.id)).toEqual(["us-a", "us-b", "eu-a"]);
    expect(pub.residencyZone).toBeUndefined();
    // This team keeps only restricted data in zone: its internal requests may use any zone.
    const open = bundle.teams.get("open")!;
    expect(planRoute(bundle, model, open, "internal", { needs }).targets.map((t) => t.provider.id)).toEqual(["us-a", "us-b", "eu-a"]);
    expect(planRoute(bundle, model, open, "restricted", { needs }).targets.map((t) => t.provider.id)).toEqual(["eu-a"]);
  });

  it("drops a target whose context window is too small for the prompt", () => {
    const big = chatNeeds({ model: "m", messages: [{ role: "user", content: "x".repeat(2000) }] });
    const p = planRoute(bundle, model, bundle.teams.get("t")!, "public", { workload: bundle.workloads.get("w"), needs: big });
    expect(p.targets.map((t) => t.provider.id)).toEqual(["us-b"]);
  });
});
