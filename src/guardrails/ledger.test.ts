import { describe, expect, it } from "vitest";
import { budgetStatus, countSecond, emptyLedger, leaseCount, nextExpiry, reserve, settle, sweep, type ReserveInput } from "./ledger";

const T0 = Date.UTC(2026, 6, 15, 12, 0, 0);
let n = 0;
const input = (over: Partial<ReserveInput> = {}): ReserveInput => ({
  reservationId: `r${n++}`, requestId: "q", scopes: [{ key: "team", budgetNusd: 100 }], period: "monthly", costNusd: 30, tokens: 10, ttlMs: 60_000, ...over,
});

describe("budget ledger", () => {
  it("never admits past the budget with reservations in flight, and releases the rest on settle", () => {
    const l = emptyLedger();
    const a = input(), b = input(), c = input(), d = input();
    expect(reserve(l, a, T0).ok).toBe(true);
    expect(reserve(l, b, T0).ok).toBe(true);
    expect(reserve(l, c, T0).ok).toBe(true);
    const refused = reserve(l, d, T0);
    expect(refused.ok).toBe(false);
    // Only in-flight reservations block: the client is told to retry soon, not at period end.
    if (!refused.ok) expect(refused.retryAfterS).toBeLessThan(10);
    settle(l, { ...a, costNusd: 5, tokens: 3 }, T0);
    expect(budgetStatus(l, "team", 100, "monthly", T0)).toMatchObject({ spentNusd: 5, reservedNusd: 60, remainingNusd: 35 });
    expect(reserve(l, d, T0).ok).toBe(true);
  });

  it("refuses an exhausted budget until the period ends, and fires thresholds once", () => {
    const l = emptyLedger();
    const a = input({ costNusd: 60 });
    reserve(l, a, T0);
    const events = settle(l, { ...a, costNusd: 85 }, T0);
    expect(events.map((e) => e.percent)).toEqual([50, 80]);
    const refused = reserve(l, input({ costNusd: 20 }), T0);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.reason).toBe("budget");
      expect(refused.retryAfterS).toBe(86_400);
      expect(refused.thresholds.map((e) => [e.percent, e.refused])).toEqual([[100, true]]);
    }
    // Next month the spend rolls over.
    const next = Date.UTC(2026, 7, 1, 0, 0, 1);
    expect(reserve(l, input({ costNusd: 20 }), next).ok).toBe(true);
    expect(budgetStatus(l, "team", 100, "monthly", next).spentNusd).toBe(0);
  });

  it("a failed call (settle 0) charges nothing", () => {
    const l = emptyLedger();
    const a = input();
    reserve(l, a, T0);
    expect(settle(l, { ...a, costNusd: 0, tokens: 0 }, T0)).toEqual([]);
    expect(budgetStatus(l, "team", 100, "monthly", T0)).toMatchObject({ spentNusd: 0, reservedNusd: 0 });
  });

  it("enforces rpm per scope exactly and reports the tightest scope's headers", () => {
    const l = emptyLedger();
    const scopes = [{ key: "team", rpm: 5 }, { key: "key:k1", rpm: 3 }];
    const results = Array.from({ length: 5 }, () => reserve(l, input({ scopes }), T0));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false, false]);
    const last = results[4];
    if (!last.ok) {
      expect(last.reason).toBe("requests");
      expect(last.scope).toBe("key:k1");
      expect(last.ratelimit).toMatchObject({ limitRequests: 3, remainingRequests: 0 });
      expect(last.retryAfterS).toBe(61);
    }
  });

  it("counts worst-case tokens against tpm, then corrects them to actual on settle", () => {
    const l = emptyLedger();
    const scopes = [{ key: "team", tpm: 100 }];
    const a = input({ scopes, tokens: 80 });
    expect(reserve(l, a, T0).ok).toBe(true);
    const b = input({ scopes, tokens: 80 });
    const refused = reserve(l, b, T0);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.reason).toBe("tokens");
    settle(l, { ...a, tokens: 15 }, T0);
    expect(reserve(l, b, T0).ok).toBe(true);
  });

  it("sweeps expired reservations so they cannot leak", () => {
    const l = emptyLedger();
    reserve(l, input({ ttlMs: 1000 }), T0);
    reserve(l, input({ ttlMs: 5000 }), T0);
    expect(nextExpiry(l)).toBe(T0 + 1000);
    expect(sweep(l, T0 + 1000)).toHaveLength(1);
    expect(budgetStatus(l, "team", 100, "monthly", T0).reservedNusd).toBe(30);
    expect(nextExpiry(l)).toBe(T0 + 5000);
  });

  it("a settle after the sweep still charges the money that was spent", () => {
    const l = emptyLedger();
    const a = input({ ttlMs: 10 });
    reserve(l, a, T0);
    sweep(l, T0 + 10);
    settle(l, { ...a, costNusd: 12 }, T0 + 20);
    expect(budgetStatus(l, "team", 100, "monthly", T0 + 20)).toMatchObject({ spentNusd: 12, reservedNusd: 0 });
  });

  it("a zero budget refuses everything", () => {
    const l = emptyLedger();
    expect(reserve(l, input({ scopes: [{ key: "team", budgetNusd: 0 }], costNusd: 1 }), T0).ok).toBe(false);
  });
});

describe("leases in the ledger", () => {
  it("sizes a lease by the tightest scope's headroom, at most 1/8 of it and at most what was asked", () => {
    const l = emptyLedger();
    const scopes = [{ key: "team", budgetNusd: 10_000, rpm: 800 }, { key: "workload:w", tpm: 4_000 }];
    // The budget fits 100 requests, the tpm 400, the rpm 800: the budget is tightest, 100 / 8 = 12.
    expect(leaseCount(l, input({ scopes, costNusd: 100, tokens: 10 }), 512, T0)).toBe(12);
    // With the budget out of the way, the workload's tpm is: 400 / 8 = 50.
    expect(leaseCount(l, input({ scopes, costNusd: 1, tokens: 10 }), 512, T0)).toBe(50);
    expect(leaseCount(l, input({ scopes, costNusd: 100, tokens: 10 }), 4, T0)).toBe(4);
    // Nearly spent: one request at a time, and none when not even one fits.
    expect(leaseCount(l, input({ scopes, costNusd: 2_000, tokens: 10 }), 512, T0)).toBe(1);
    expect(leaseCount(l, input({ scopes, costNusd: 20_000, tokens: 10 }), 512, T0)).toBe(0);
  });

  it("a lease of n is admitted like n requests and returns the requests it did not use", () => {
    const l = emptyLedger();
    const scopes = [{ key: "team", budgetNusd: 1_000, rpm: 10 }];
    const lease = input({ scopes, costNusd: 100, tokens: 10, count: 6 });
    expect(reserve(l, lease, T0).ok).toBe(true);
    expect(budgetStatus(l, "team", 1_000, "monthly", T0).reservedNusd).toBe(600);
    // Six requests counted: five more fit the rpm, the budget only four.
    expect(reserve(l, input({ scopes, costNusd: 100, tokens: 10, count: 5 }), T0).ok).toBe(false);
    settle(l, { ...lease, costNusd: 150, tokens: 20, requests: 2 }, T0);
    expect(budgetStatus(l, "team", 1_000, "monthly", T0)).toMatchObject({ spentNusd: 150, reservedNusd: 0 });
    // Four unused requests came back: 8 more fit the rpm of 10.
    expect(reserve(l, input({ scopes: [{ key: "team", rpm: 10 }], count: 8 }), T0).ok).toBe(true);
    expect(reserve(l, input({ scopes: [{ key: "team", rpm: 10 }] }), T0).ok).toBe(false);
  });

  it("an ahead-of-time lease counts in the next second: checks now include it, and the rpm stays exact across the boundary", () => {
    const l = emptyLedger();
    const sec = Math.floor(T0 / 1000);
    const scopes = [{ key: "team", rpm: 10 }];
    // 6 requests made now, then a lease of 4 for the next second granted now.
    expect(reserve(l, input({ scopes, count: 6 }), T0 + 700).ok).toBe(true);
    const ahead = input({ scopes, count: 4, atSec: sec + 1 });
    expect(leaseCount(l, ahead, 8, T0 + 700)).toBe(1); // 4 of headroom, at most 1/8 of it
    expect(reserve(l, ahead, T0 + 700).ok).toBe(true);
    expect(l.reservations.get(ahead.reservationId)?.atSec).toBe(sec + 1);
    // Nothing is left now, nor in the next second: the ahead grant is not handed out twice.
    expect(reserve(l, input({ scopes }), T0 + 800).ok).toBe(false);
    expect(reserve(l, input({ scopes }), T0 + 1200).ok).toBe(false);
    // The lease used 1 of its 4: the other 3 return to the next second's bucket.
    settle(l, { ...ahead, costNusd: 0, tokens: 0, requests: 1 }, T0 + 2000);
    expect(reserve(l, input({ scopes, count: 3 }), T0 + 2000).ok).toBe(true);
    expect(reserve(l, input({ scopes }), T0 + 2000).ok).toBe(false);
  });

  it("counts a reservation at now's second or the next, never earlier or later", () => {
    expect(countSecond(undefined, 100)).toBe(100);
    expect(countSecond(101, 100)).toBe(101);
    expect(countSecond(99, 100)).toBe(100);
    expect(countSecond(105, 100)).toBe(101);
  });
});
