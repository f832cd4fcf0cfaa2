import { describe, expect, it } from "vitest";
import { budgetAlertFinding, dlpFinding, limitFinding, percentile, retriesWithoutValue } from "./analyse";

describe("guardrail tuning analysis", () => {
  it("takes nearest-rank percentiles", () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([5, 1, 3], 50)).toBe(3);
    expect(percentile([], 95)).toBe(0);
  });

  it("raises a limit that refuses too much, within the admin's bounds", () => {
    const s = { team: "t", kind: "rpm" as const, limit: 10, requests: 1200, refused: 200, perMinute: Array(100).fill(12) };
    expect(limitFinding(s)).toMatchObject({ finding: "fires_excessively", current: 10, proposed: 15, security: false, evidence: { refused_share: 0.1667, headroom_used_p95: 1.2 } });
    expect(limitFinding({ ...s, bounds: { min: 1, max: 13 } })?.proposed).toBe(13);
  });

  it("lowers a limit that never comes near, and leaves healthy ones alone", () => {
    const idle = { team: "t", kind: "rpm" as const, limit: 1000, requests: 150, refused: 0, perMinute: Array(150).fill(1) };
    expect(limitFinding(idle)).toMatchObject({ finding: "never_fires", proposed: 4 });
    expect(limitFinding({ ...idle, perMinute: Array(150).fill(500) })).toBeUndefined();
    expect(limitFinding({ ...idle, requests: 20 })).toBeUndefined();
  });

  it("proposes redact for a block users work around, never-fires for a silent configured rule; both security", () => {
    const s = { team: "t", workload: "w", type: "EMAIL_ADDRESS", action: "block", configured: true, requests: 200, fires: 40, blocks: 40, retriedWithoutValue: 30, exemptions: 0 };
    expect(dlpFinding(s)).toMatchObject({ finding: "fires_excessively", proposed: "redact", security: true, evidence: { worked_around_share: 0.75 } });
    expect(dlpFinding({ ...s, retriedWithoutValue: 5 })).toBeUndefined();
    expect(dlpFinding({ ...s, fires: 0, blocks: 0, retriedWithoutValue: 0 })).toMatchObject({ finding: "never_fires", proposed: null, security: true });
    expect(dlpFinding({ ...s, configured: false, fires: 0, blocks: 0, retriedWithoutValue: 0 })).toBeUndefined();
  });

  it("flags budget warnings that never precede a refusal", () => {
    expect(budgetAlertFinding({ team: "t", warnings: 4, refusals: 0, periods: 3 })).toMatchObject({ guardrail: "budget_alert", proposed: "90%" });
    expect(budgetAlertFinding({ team: "t", warnings: 4, refusals: 1, periods: 3 })).toBeUndefined();
  });

  it("counts a block followed by the same key succeeding without the value", () => {
    const rows = [
      { key: "k1", at: 0, ok: false, types: ["EMAIL_ADDRESS"], blocked: ["EMAIL_ADDRESS"] },
      { key: "k1", at: 60_000, ok: true, types: [], blocked: [] },
      { key: "k2", at: 0, ok: false, types: ["EMAIL_ADDRESS"], blocked: ["EMAIL_ADDRESS"] },
      { key: "k2", at: 3_600_000, ok: true, types: [], blocked: [] },
      { key: "k3", at: 0, ok: false, types: ["EMAIL_ADDRESS"], blocked: ["EMAIL_ADDRESS"] },
      { key: "k3", at: 1_000, ok: true, types: ["EMAIL_ADDRESS"], blocked: [] },
    ];
    expect(retriesWithoutValue(rows).get("EMAIL_ADDRESS")).toBe(1);
  });
});
