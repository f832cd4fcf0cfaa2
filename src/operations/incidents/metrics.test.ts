import { describe, expect, it } from "vitest";
import { incidentTimes, monthlyFigures } from "./metrics";

const t = (start: string, detectMin: number, resolveMin: number | null, kind = "provider_outage") => {
  const at = (m: number) => new Date(Date.parse(start) + m * 60_000).toISOString();
  return { kind, started_at: start, detected_at: at(detectMin), acknowledged_at: null, mitigated_at: null, resolved_at: resolveMin === null ? null : at(resolveMin) };
};

describe("incident metrics", () => {
  it("measures detection from the first bad signal and resolution from the start", () => {
    expect(incidentTimes(t("2026-03-01T00:00:00.000Z", 3, 20))).toEqual({ ttd_ms: 180_000, ttm_ms: null, ttr_ms: 1_200_000 });
    expect(incidentTimes(t("2026-03-01T00:00:00.000Z", 3, null)).ttr_ms).toBeNull();
  });

  it("averages per month and type, counting open incidents for MTTD only", () => {
    const figures = monthlyFigures([
      t("2026-03-01T00:00:00.000Z", 2, 10),
      t("2026-03-05T00:00:00.000Z", 4, 30),
      t("2026-03-09T00:00:00.000Z", 6, null),
      t("2026-03-09T00:00:00.000Z", 1, 5, "budget_breach"),
      t("2026-04-01T00:00:00.000Z", 5, 5),
    ]);
    expect(figures).toEqual([
      { month: "2026-04", kind: "provider_outage", incidents: 1, resolved: 1, mttd_ms: 300_000, mttr_ms: 300_000 },
      { month: "2026-03", kind: "budget_breach", incidents: 1, resolved: 1, mttd_ms: 60_000, mttr_ms: 300_000 },
      { month: "2026-03", kind: "provider_outage", incidents: 3, resolved: 2, mttd_ms: 240_000, mttr_ms: 1_200_000 },
    ]);
  });
});
