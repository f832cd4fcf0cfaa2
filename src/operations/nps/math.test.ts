import { describe, expect, it } from "vitest";
import { npsDrops, npsOf, roundResults } from "./math";

describe("NPS math on known answers", () => {
  it("is % promoters minus % detractors", () => {
    // 4 promoters, 3 passives, 3 detractors of 10: 40 − 30 = 10.
    expect(npsOf([10, 9, 9, 10, 8, 7, 7, 6, 0, 3])).toEqual({ nps: 10, responses: 10, promoters: 4, passives: 3, detractors: 3 });
    expect(npsOf([10, 10]).nps).toBe(100);
    expect(npsOf([0, 6]).nps).toBe(-100);
    expect(npsOf([7, 8]).nps).toBe(0);
    expect(npsOf([9, 6, 8]).nps).toBe(0);
    expect(npsOf([10, 10, 3]).nps).toBe(33.3);
    expect(npsOf([]).nps).toBeNull();
  });

  it("splits by area and team and measures the response rate against eligible keys", () => {
    const r = roundResults([
      { team: "a", would_recommend: 10, scores: { onboarding: 10, support: 2 } },
      { team: "a", would_recommend: 6, scores: { onboarding: 9, support: 9 } },
      { team: "b", would_recommend: 9, scores: { onboarding: 4 } },
    ], { total: 10, teams: { a: 4, b: 1 } });
    expect(r.overall).toMatchObject({ nps: 33.3, responses: 3 });
    expect(r.areas.onboarding).toMatchObject({ nps: 33.3, responses: 3 });
    expect(r.areas.support).toMatchObject({ nps: 0, responses: 2 });
    expect(r.areas.dashboard).toMatchObject({ nps: null, responses: 0 });
    expect(r.teams.a).toMatchObject({ nps: 0, response_rate: 0.5 });
    expect(r.teams.b).toMatchObject({ nps: 100, response_rate: 1 });
    expect(r.response_rate).toBe(0.3);
  });

  it("flags drops of ten points or more, overall and per area", () => {
    const prev = { survey_id: "s1", created_at: "2026-01-01", overall: 40, areas: { onboarding: 20, support: 50 } };
    const cur = { survey_id: "s2", created_at: "2026-04-01", overall: 30, areas: { onboarding: 11, support: 10 } };
    expect(npsDrops(prev, cur)).toEqual([
      { scope: "overall", from: 40, to: 30, drop_points: 10 },
      { scope: "support", from: 50, to: 10, drop_points: 40 },
    ]);
  });
});
