import { describe, expect, it } from "vitest";
import { MAX_BUDGET_RETRY_AFTER_S, budgetRetryAfterS, periodBounds } from "./period";

describe("budget periods", () => {
  it("monthly periods are calendar months in UTC", () => {
    const b = periodBounds("monthly", Date.UTC(2026, 11, 31, 23, 0));
    expect(b.label).toBe("2026-12");
    expect(b.end).toBe(Date.UTC(2027, 0, 1));
  });

  it("weekly periods start on Monday, daily at midnight", () => {
    // 2026-07-05 is a Sunday.
    const w = periodBounds("weekly", Date.UTC(2026, 6, 5, 12));
    expect(new Date(w.start).toISOString()).toBe("2026-06-29T00:00:00.000Z");
    expect(periodBounds("daily", Date.UTC(2026, 6, 5, 12)).label).toBe("2026-07-05");
  });

  it("retry-after runs to the period end, bounded", () => {
    expect(budgetRetryAfterS("daily", Date.UTC(2026, 0, 1, 23, 59, 30))).toBe(30);
    expect(budgetRetryAfterS("monthly", Date.UTC(2026, 0, 2))).toBe(MAX_BUDGET_RETRY_AFTER_S);
  });
});
