import { describe, expect, it } from "vitest";
import { compileBundle, type BundleRows } from "./bundle";
import { costNusd, nusdToUsd, usdToNusd } from "./money";

const rows: BundleRows = {
  version: 7,
  providers: [
    { id: "p1", spec: JSON.stringify({ type: "simulated", region: "eu" }), secret: null },
    { id: "broken", spec: "{not json", secret: null },
  ],
  models: [{ id: "m", spec: JSON.stringify({ targets: [{ provider: "p1", model: "x" }], data_classes: ["public"], price: { input_per_mtok: 1, output_per_mtok: 2 } }) }],
  teams: [{ id: "t", spec: JSON.stringify({ monthly_budget_usd: 12.5, rpm: 1, tpm: 2, residency: "eu" }) }],
  workloads: [{ id: "w", spec: JSON.stringify({ team: "t", default_data_class: "internal", allowed_models: ["m"], lifecycle: "production" }) }],
  keys: [
    { id: "k1", hash: "h1", prefix: "sk-sy-aaaa", workload: "w", team: "t", expiresAt: null, revokedAt: null },
    { id: "k2", hash: "h2", prefix: "sk-sy-bbbb", workload: "w", team: "t", expiresAt: "2030-01-01T00:00:00Z", revokedAt: "2026-01-01T00:00:00Z" },
  ],
};

describe("compileBundle", () => {
  const bundle = compileBundle(rows, 1000);
  it("builds lookup maps with defaults", () => {
    expect(bundle.version).toBe(7);
    expect(bundle.providers.get("p1")).toMatchObject({ type: "simulated", region: "eu", faults: { mode: "none" } });
    expect(bundle.models.get("m")!.kind).toBe("chat");
    expect(bundle.models.get("m")!.dataClassSet.has("public")).toBe(true);
    expect(bundle.teams.get("t")!.budgetNusd).toBe(12_500_000_000);
    expect(bundle.workloads.get("w")!.allowedModels.has("m")).toBe(true);
  });
  it("leaves revoked keys out and keeps expiry as epoch ms", () => {
    expect(bundle.keysByHash.has("h1")).toBe(true);
    expect(bundle.keysByHash.has("h2")).toBe(false);
  });
  it("skips rows that no longer parse, with a warning instead of failing", () => {
    expect(bundle.providers.has("broken")).toBe(false);
    expect(bundle.warnings).toEqual(["provider broken: spec is not JSON"]);
  });
});

describe("money", () => {
  it("is exact in nano-dollars", () => {
    expect(costNusd({ input_per_mtok: 2.5, output_per_mtok: 10 }, 1000, 100)).toBe(3_500_000);
    expect(costNusd({ input_per_mtok: 0.15, output_per_mtok: 0.6 }, 3, 1)).toBe(1050);
    expect(usdToNusd(0.1) + usdToNusd(0.2)).toBe(usdToNusd(0.3));
    expect(nusdToUsd(1_500_000_000)).toBe(1.5);
  });
});
