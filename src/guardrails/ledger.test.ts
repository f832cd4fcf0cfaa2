import { describe, expect, it } from "vitest";
import { budgetStatus, emptyLedger, nextExpiry, reserve, settle, sweep, type ReserveInput } from "./ledger";

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
