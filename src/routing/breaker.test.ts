import { describe, expect, it } from "vitest";
import { LOCAL_BREAKER, SHARED_BREAKER, circuitAt, combineViews, freshStats, recordOutcome, type HealthStats } from "./breaker";

const fail = (at: number) => ({ ok: false, latencyMs: 100, at });
const ok = (at: number, latencyMs = 100, ttfbMs?: number) => ({ ok: true, latencyMs, ttfbMs, at });

function run(outcomes: Array<{ ok: boolean; latencyMs: number; at: number; ttfbMs?: number }>, cfg = LOCAL_BREAKER, s: HealthStats = freshStats(0)): HealthStats {
  return outcomes.reduce((acc, o) => recordOutcome(acc, o, cfg), s);
}

describe("circuit breaker", () => {
  it("opens after consecutive failures and half-opens after the cooldown", () => {
    const s = run([fail(1), fail(2)]);
    expect(s.state).toBe("open");
    expect(circuitAt(s, 2 + LOCAL_BREAKER.cooldownMs - 1)).toBe("open");
    expect(circuitAt(s, 2 + LOCAL_BREAKER.cooldownMs)).toBe("half_open");
  });

  it("closes after enough half-open successes and re-opens on a half-open failure", () => {
    const open = run([fail(1), fail(2), fail(3), fail(4), fail(5)], SHARED_BREAKER);
    expect(open.state).toBe("open");
    const t = 5 + SHARED_BREAKER.cooldownMs;
    const once = recordOutcome(open, ok(t), SHARED_BREAKER);
    expect(circuitAt(once, t)).toBe("half_open");
    const closed = recordOutcome(once, ok(t + 1), SHARED_BREAKER);
    expect(closed.state).toBe("closed");
    expect(closed.errorRate).toBe(0);
    const reopened = recordOutcome(once, fail(t + 1), SHARED_BREAKER);
    expect(reopened.state).toBe("open");
    expect(reopened.openUntil).toBe(t + 1 + SHARED_BREAKER.cooldownMs);
  });

  it("opens on a high error rate even without a failure streak", () => {
    const outcomes = [];
    for (let i = 0; i < 40; i++) outcomes.push(i % 4 === 3 ? ok(i) : fail(i));
    const s = run(outcomes, { ...SHARED_BREAKER, failureThreshold: 100 });
    expect(s.state).toBe("open");
  });

  it("ignores late failure reports while open (the cooldown does not restart)", () => {
    const s = run([fail(1), fail(2)]);
    const late = recordOutcome(s, fail(3), LOCAL_BREAKER);
    expect(late.openUntil).toBe(s.openUntil);
  });

  it("tracks latency and ttfb as EWMAs of successes", () => {
    const s = run([ok(1, 100, 10), ok(2, 200, 20)]);
    expect(s.latencyMs).toBeCloseTo(100 + LOCAL_BREAKER.alpha * 100);
    expect(s.ttfbMs).toBeCloseTo(10 + LOCAL_BREAKER.alpha * 10);
  });

  it("combines views: the worse circuit wins, the shared signals are used when present", () => {
    const local = run([fail(1), fail(2)]);
    const shared = run([ok(1, 300)], SHARED_BREAKER);
    const v = combineViews(local, shared, 3);
    expect(v.state).toBe("open");
    expect(v.latencyMs).toBe(300);
    expect(combineViews(undefined, undefined, 0)).toEqual({ state: "closed", errorRate: 0, latencyMs: null, ttfbMs: null });
  });
});
