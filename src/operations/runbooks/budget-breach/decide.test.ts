import { describe, expect, it } from "vitest";
import { budgetVerdict } from "./decide";

const period = { periodStart: "2026-03-01T00:00:00.000Z", periodEnd: "2026-03-31T00:00:00.000Z" };
const day = (d: number) => Date.parse(period.periodStart) + d * 86_400_000;

describe("budget breach verdict", () => {
  it("is exhausted at 100%", () => {
    expect(budgetVerdict({ ...period, limitNusd: 1_000, spentNusd: 1_000 }, day(20))).toMatchObject({ breach: "exhausted", percent: 100 });
  });
  it("counts a budget refusal as exhausted even below 100%", () => {
    expect(budgetVerdict({ ...period, limitNusd: 1_000, spentNusd: 700, refused: true }, day(1)).breach).toBe("exhausted");
  });
  it("projects exhaustion from the average rate", () => {
    // 60% gone after 10 of 30 days: runs out on day 16.67.
    const v = budgetVerdict({ ...period, limitNusd: 1_000, spentNusd: 600 }, day(10));
    expect(v.breach).toBe("projected");
    expect(v.projectedExhaustionAt).toBe(new Date(day(10) + (day(10) - day(0)) * (400 / 600)).toISOString());
  });
  it("stays quiet on track, and before a tenth of the period has passed", () => {
    expect(budgetVerdict({ ...period, limitNusd: 1_000, spentNusd: 300 }, day(10)).breach).toBeNull();
    expect(budgetVerdict({ ...period, limitNusd: 1_000, spentNusd: 90 }, day(2)).breach).toBeNull();
  });
});
