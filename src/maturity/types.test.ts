import { describe, expect, it } from "vitest";
import { latestConsecutivePair, previousMonth } from "./types";

describe("month helpers", () => {
  it("finds the latest consecutive pair across a year boundary", () => {
    expect(previousMonth("2027-01")).toBe("2026-12");
    expect(latestConsecutivePair(["2026-12", "2027-01", "2026-06"])).toEqual(["2027-01", "2026-12"]);
    expect(latestConsecutivePair(["2026-09", "2026-11"])).toBeUndefined();
  });
});
