import { describe, expect, it } from "vitest";
import { VIEWS, viewsFor } from "./access";
import { daysAgo, duration, int, monthStart, pct, usd, when } from "./format";
import { readClaims, tokenFromHash } from "./session";
import { compareCells, filterRows, nextSort, sortRows } from "./table-model";

describe("dashboard formatting", () => {
  it("formats money, ratios, counts and durations", () => {
    expect(usd(1234.5)).toBe("$1,235");
    expect(usd(71.1)).toBe("$71.10");
    expect(usd(null)).toBe("–");
    expect(pct(0.1234)).toBe("12.3%");
    expect(pct(Number.NaN)).toBe("–");
    expect(int(1234567.4)).toBe("1,234,567");
    expect(duration(250)).toBe("250 ms");
    expect(duration(4996)).toBe("5.0 s");
    expect(duration(900_420)).toBe("15.0 min");
    expect(duration(7_200_000)).toBe("2.0 h");
  });

  it("formats dates in UTC", () => {
    expect(when("2026-12-02T14:13:14.649Z")).toBe("2026-12-02 14:13");
    expect(when("2026-12-02")).toBe("2026-12-02");
    expect(monthStart(new Date("2026-12-15T10:00:00Z"))).toBe("2026-12-01");
    expect(daysAgo(new Date("2026-12-15T10:00:00Z"), 14)).toBe("2026-12-01");
  });
});

describe("dashboard tables", () => {
  const rows = [{ t: "run 10", n: 3 }, { t: "run 9", n: null }, { t: "Sales APAC", n: 1 }];
  it("sorts numbers numerically and text naturally, empties last either way", () => {
    expect(compareCells(2, 10)).toBeLessThan(0);
    expect(compareCells("run 9", "run 10")).toBeLessThan(0);
    expect(sortRows(rows, (r) => r.n, "ascending").map((r) => r.n)).toEqual([1, 3, null]);
    expect(sortRows(rows, (r) => r.n, "descending").map((r) => r.n)).toEqual([3, 1, null]);
    expect(sortRows(rows, (r) => r.t, "ascending").map((r) => r.t)).toEqual(["run 9", "run 10", "Sales APAC"]);
  });

  it("filters on every word across the row's cells", () => {
    expect(filterRows(rows, "apac sal", [(r) => r.t])).toEqual([rows[2]]);
    expect(filterRows(rows, "  ", [(r) => r.t])).toHaveLength(3);
    expect(filterRows(rows, "run 3", [(r) => r.t, (r) => r.n])).toEqual([rows[0]]);
  });

  it("cycles a column's sort and starts a new column ascending", () => {
    expect(nextSort(null, 2)).toEqual({ column: 2, direction: "ascending" });
    expect(nextSort({ column: 2, direction: "ascending" }, 2)).toEqual({ column: 2, direction: "descending" });
    expect(nextSort({ column: 2, direction: "descending" }, 1)).toEqual({ column: 1, direction: "ascending" });
  });
});

describe("dashboard sign-in", () => {
  it("takes a token only from a #token= fragment", () => {
    expect(tokenFromHash("#token=abc.def.ghi&x=1")).toBe("abc.def.ghi");
    expect(tokenFromHash("#/finance")).toBeNull();
    expect(tokenFromHash("")).toBeNull();
  });

  it("reads display claims and refuses what is not a JWT", () => {
    const payload = btoa(JSON.stringify({ sub: "cfo", role: "finance", exp: 1 })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    expect(readClaims(`h.${payload}.s`)).toEqual({ sub: "cfo", role: "finance", team: undefined, exp: 1 });
    expect(readClaims("not-a-jwt")).toBeNull();
    expect(readClaims("h.%%%.s")).toBeNull();
  });

  it("shows finance no security view and team owners no overview", () => {
    expect(viewsFor("finance").map((v) => v.id)).not.toContain("security");
    expect(viewsFor("team-owner").map((v) => v.id)).toEqual(["workloads", "developers"]);
    expect(viewsFor("admin")).toHaveLength(VIEWS.length);
  });
});
