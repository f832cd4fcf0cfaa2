import { beforeEach, describe, expect, it } from "vitest";
import { TTFB_DEADLINE } from "./deadline";
import { beginWait, deadlineFor, recordAnswer, recordTtfb, resetLatency, waitingTooLong } from "./latency";

beforeEach(() => resetLatency());

describe("in-flight waits", () => {
  it("flags a provider whose oldest waiting attempt passed its slow mark with no answer since", () => {
    const done = beginWait("p@us", 1_000, 10_000);
    expect(waitingTooLong("p@us", 10_999)).toBe(false);
    expect(waitingTooLong("p@us", 11_000)).toBe(true);
    done();
    expect(waitingTooLong("p@us", 20_000)).toBe(false);
  });

  it("does not flag a busy provider that keeps answering (under load the oldest wait is often past p95)", () => {
    beginWait("p@us", 100, 0);
    recordAnswer("p@us", 50);
    expect(waitingTooLong("p@us", 5_000)).toBe(false);
    // An attempt that began after the last answer and is still waiting is the one that counts.
    beginWait("q@us", 100, 0);
    recordAnswer("q@us", -1);
    expect(waitingTooLong("q@us", 5_000)).toBe(true);
  });

  it("looks at the oldest attempt: ending it hands over to the next oldest", () => {
    const first = beginWait("p@us", 1_000, 0);
    beginWait("p@us", 1_000, 4_500);
    expect(waitingTooLong("p@us", 5_000)).toBe(true);
    first();
    expect(waitingTooLong("p@us", 5_000)).toBe(false);
  });
});

describe("deadlineFor", () => {
  it("is cold with no samples, then derived from this target's own samples of that kind of call", () => {
    expect(deadlineFor({ provider: "p@us", model: "m", kind: "json", attemptTimeoutMs: 30_000 }).source).toBe("cold");
    for (let i = 0; i < TTFB_DEADLINE.minSamples; i++) recordTtfb("p@us", "m", "stream", 1_000);
    expect(deadlineFor({ provider: "p@us", model: "m", kind: "stream", attemptTimeoutMs: 30_000 })).toMatchObject({ ms: 3_000, source: "observed", slowAfterMs: 1_000 });
    // JSON first bytes are whole answers: stream samples say nothing about them.
    expect(deadlineFor({ provider: "p@us", model: "m", kind: "json", attemptTimeoutMs: 30_000 }).source).toBe("cold");
  });

  it("keeps only the most recent samples, so a target that got faster gets a shorter deadline", () => {
    for (let i = 0; i < 32; i++) recordTtfb("p@us", "m", "json", 5_000);
    expect(deadlineFor({ provider: "p@us", model: "m", kind: "json", attemptTimeoutMs: 60_000 }).ms).toBe(15_000);
    for (let i = 0; i < 32; i++) recordTtfb("p@us", "m", "json", 500);
    expect(deadlineFor({ provider: "p@us", model: "m", kind: "json", attemptTimeoutMs: 60_000 }).ms).toBe(1_500);
  });
});
