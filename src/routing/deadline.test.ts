import { describe, expect, it } from "vitest";
import { TTFB_DEADLINE, isSlow, percentile, ttfbDeadline } from "./deadline";

describe("ttfbDeadline", () => {
  it("uses the cold default when nothing is known, and counts half of it as slow", () => {
    expect(ttfbDeadline({ samples: 0, attemptTimeoutMs: 30_000 })).toEqual({ ms: TTFB_DEADLINE.coldMs, source: "cold", slowAfterMs: TTFB_DEADLINE.coldMs / 2 });
  });

  it("lets the catalog's ttfb_timeout_ms win over everything observed", () => {
    expect(ttfbDeadline({ configuredMs: 700, p95Ms: 5_000, samples: 50, attemptTimeoutMs: 30_000 })).toMatchObject({ ms: 700, source: "configured" });
  });

  it("derives factor × p95 once enough samples were seen, with p95 as the slow mark", () => {
    expect(ttfbDeadline({ p95Ms: 800, samples: 20, attemptTimeoutMs: 30_000 })).toEqual({ ms: 2_400, source: "observed", slowAfterMs: 800 });
  });

  it("ignores a p95 from too few samples", () => {
    expect(ttfbDeadline({ p95Ms: 8_000, samples: TTFB_DEADLINE.minSamples - 1, attemptTimeoutMs: 30_000 }).source).toBe("cold");
  });

  it("clamps a fast target to the floor and a slow one to the ceiling", () => {
    expect(ttfbDeadline({ p95Ms: 2, samples: 20, attemptTimeoutMs: 60_000 })).toMatchObject({ ms: TTFB_DEADLINE.floorMs, slowAfterMs: TTFB_DEADLINE.slowFloorMs });
    expect(ttfbDeadline({ p95Ms: 20_000, samples: 20, attemptTimeoutMs: 60_000 }).ms).toBe(TTFB_DEADLINE.ceilingMs);
  });

  it("falls back to the shared EWMA (a mean, scaled to a tail) before the cold default", () => {
    // 3 × (2 × 1000) = 6000
    expect(ttfbDeadline({ samples: 0, sharedMeanMs: 1_000, attemptTimeoutMs: 30_000 })).toEqual({ ms: 6_000, source: "shared", slowAfterMs: 2_000 });
  });

  it("never exceeds the attempt's own timeout (the request deadline shrinks it)", () => {
    expect(ttfbDeadline({ samples: 0, attemptTimeoutMs: 400 }).ms).toBe(400);
    expect(ttfbDeadline({ configuredMs: 5_000, samples: 0, attemptTimeoutMs: 1_200 }).ms).toBe(1_200);
    expect(ttfbDeadline({ p95Ms: 800, samples: 20, attemptTimeoutMs: 300 })).toMatchObject({ ms: 300, slowAfterMs: 300 });
  });
});

describe("percentile", () => {
  it("is the nearest-rank quantile", () => {
    expect(percentile([], 0.95)).toBeNull();
    expect(percentile([5], 0.95)).toBe(5);
    expect(percentile([1, 2, 3, 4, 100], 0.95)).toBe(100);
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(hundred, 0.95)).toBe(95);
    expect(percentile(hundred, 0.5)).toBe(50);
  });
});

describe("isSlow", () => {
  it("is true once a wait has lasted the slow mark, false with nothing waiting", () => {
    expect(isSlow(undefined, 10_000, 1)).toBe(false);
    expect(isSlow(1_000, 1_999, 1_000)).toBe(false);
    expect(isSlow(1_000, 2_000, 1_000)).toBe(true);
  });
});
