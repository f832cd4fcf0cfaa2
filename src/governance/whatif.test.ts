import { describe, expect, it } from "vitest";
import type { DataClass } from "../config/schemas";
import { whatIf, type ReplayPolicy, type ReplayRecord, type ReplayWorkload } from "./whatif";

const DEFAULTS: Record<string, ReturnType<ReplayWorkload["dlpAction"]>> = {
  SECRET: { action: "block" }, CREDIT_CARD: { action: "redact" }, EMAIL_ADDRESS: { action: "raise", to: "internal" },
};
const wl = (defaultClass: DataClass, models: string[], extra: Partial<ReplayWorkload> = {}): ReplayWorkload => ({
  defaultClass, allowedModels: new Set(models), dlpAction: (t) => DEFAULTS[t] ?? { action: "allow" }, ...extra,
});
const policy: ReplayPolicy = {
  workloads: new Map([["support-bot", wl("public", ["big", "mini"])], ["other", wl("internal", ["big"])]]),
  classification: new Map([["CREDIT_CARD", "restricted"]]),
  modelClasses: new Map([["big", new Set<DataClass>(["public", "internal", "restricted"])], ["mini", new Set<DataClass>(["public", "internal"])]]),
  modelZones: new Map([["big", new Set(["us", "eu"])], ["mini", new Set(["us"])]]),
  providerZone: new Map([["p-us", "us"], ["p-eu", "eu"]]),
};
const rec = (i: number, types: string[], extra: Partial<ReplayRecord> = {}): ReplayRecord => ({
  ts: `2026-11-${String(10 + (i % 10)).padStart(2, "0")}T10:${String(i % 60).padStart(2, "0")}:00Z`, workload: "support-bot", model: "big", provider: "p-us",
  region: "us", cost_nusd: 1_000_000, dlp_types: types, ...extra,
});

// Known traffic: 10 requests with an email, 3 with a card (one of them on the mini model), 7 clean, 2 of another workload.
const traffic: ReplayRecord[] = [
  ...Array.from({ length: 10 }, (_, i) => rec(i, ["EMAIL_ADDRESS"])),
  rec(10, ["CREDIT_CARD"]), rec(11, ["CREDIT_CARD"]), rec(12, ["CREDIT_CARD"], { model: "mini" }),
  ...Array.from({ length: 7 }, (_, i) => rec(13 + i, [])),
  rec(30, ["EMAIL_ADDRESS"], { workload: "other" }), rec(31, [], { workload: "other" }),
];

describe("what-if replay", () => {
  it("blocking EMAIL_ADDRESS on support-bot: 10 more blocked, raises fall by 10, cost falls by their cost", () => {
    const [r] = whatIf(traffic, policy, { workload: "support-bot", dlp: { actions: { EMAIL_ADDRESS: "block" } } });
    expect(r.workload).toBe("support-bot");
    expect(r.requests).toBe(20);
    // Today: emails raise to internal (10), cards redact and raise to restricted (3), the card on mini is refused.
    expect(r.current).toEqual({ blocked: 0, redacted: 3, raised: 13, rerouted: 0, refused: 1, cost_usd: 0.019 });
    expect(r.proposed).toEqual({ blocked: 10, redacted: 3, raised: 3, rerouted: 0, refused: 1, cost_usd: 0.009 });
    expect(r.delta).toEqual({ blocked: 10, redacted: 0, raised: -10, rerouted: 0, refused: 0, cost_usd: -0.01 });
  });

  it("a classification change reaches every workload; a zone-bound class off-zone is a reroute", () => {
    const eu = [rec(1, ["IP_ADDRESS"], { provider: "p-eu" }), rec(2, ["IP_ADDRESS"], { provider: "p-eu", model: "mini" }), rec(3, [], { provider: "p-eu" })];
    const [r] = whatIf(eu, policy, { classification: { IP_ADDRESS: "internal" } });
    expect(r.current).toMatchObject({ raised: 0, rerouted: 0, refused: 0 });
    // big has a us target: rerouted; mini is approved for internal but has a us target too: rerouted.
    expect(r.proposed).toMatchObject({ raised: 2, rerouted: 2, refused: 0 });
  });

  it("allowed models, budget and rpm", () => {
    const [models] = whatIf(traffic, policy, { workload: "support-bot", allowed_models: ["mini"] });
    // The 19 requests on big are refused; the card on mini was refused already (mini is not approved for restricted).
    expect(models.proposed.refused).toBe(20);
    expect(models.delta.refused).toBe(19);
    const [budget] = whatIf(traffic, policy, { workload: "support-bot", budget_usd: 0.005 });
    expect(budget.proposed.refused).toBe(1 + 19 - 5);
    const burst = Array.from({ length: 5 }, () => rec(0, []));
    const [rpm] = whatIf(burst, policy, { workload: "support-bot", rpm: 2 });
    expect(rpm.delta).toMatchObject({ refused: 3, cost_usd: -0.003 });
  });
});
