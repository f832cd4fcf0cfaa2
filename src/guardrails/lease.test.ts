import { describe, expect, it } from "vitest";
import { FIRST_LEASE_WANT, LEASE_MAX_AGE_MS, MAX_LEASE_WANT, admitLocal, closingSettle, finishLocal, leaseRateInfo, newLease, nextWant, prefetchSeconds, readyToClose } from "./lease";

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0, 100);
const SEC = Math.floor(T0 / 1000);
const need = { costNusd: 100, tokens: 10 };

describe("budget leases (isolate side)", () => {
  it("admits no more requests than granted, and the first is already admitted", () => {
    const l = newLease("l", 3, SEC, need, {}, T0);
    expect(admitLocal(l, need, T0)).toBe(true);
    expect(admitLocal(l, need, T0)).toBe(true);
    expect(admitLocal(l, need, T0)).toBe(false);
    expect(l.admitted).toBe(3);
    expect(l.inflight).toBe(3);
  });

  it("admits by money and tokens too: a bigger request does not fit a lease sized for small ones", () => {
    const l = newLease("l", 4, SEC, need, {}, T0);
    expect(admitLocal(l, { costNusd: 400, tokens: 10 }, T0)).toBe(false);
    expect(admitLocal(l, { costNusd: 100, tokens: 40 }, T0)).toBe(false);
    expect(admitLocal(l, { costNusd: 300, tokens: 30 }, T0)).toBe(true);
    expect(l.inflightCostNusd).toBe(400);
  });

  it("a finished request frees its worst case minus what it cost, so cheap answers leave room", () => {
    const l = newLease("l", 2, SEC, need, {}, T0);
    expect(admitLocal(l, { costNusd: 100, tokens: 10 }, T0)).toBe(true);
    // Both slots used: even a cheap request has no request slot left.
    finishLocal(l, need, 20, 2, T0);
    expect(admitLocal(l, { costNusd: 1, tokens: 1 }, T0)).toBe(false);
    expect(l.spentNusd).toBe(20);
    expect(l.inflightCostNusd).toBe(100);
  });

  it("stops admitting when its window second is over, never later than the maximum age", () => {
    const late = newLease("l", 10, SEC, need, {}, SEC * 1000 + 900);
    expect(late.expiresAt).toBe((SEC + 1) * 1000);
    expect(admitLocal(late, need, (SEC + 1) * 1000)).toBe(false);
    expect(late.state).toBe("retired");
    const early = newLease("l", 10, SEC, need, {}, T0);
    expect(early.expiresAt).toBeLessThanOrEqual(T0 + LEASE_MAX_AGE_MS);
  });

  it("is ready to close only when retired and drained, and closes with actuals and the requests used", () => {
    const l = newLease("l", 5, SEC, need, {}, T0);
    admitLocal(l, need, T0);
    expect(finishLocal(l, need, 30, 3, T0)).toBe(false);
    l.state = "retired";
    expect(readyToClose(l)).toBe(false);
    expect(finishLocal(l, need, 40, 4, T0)).toBe(true);
    expect(closingSettle(l)).toEqual({ costNusd: 70, tokens: 7, requests: 2 });
    expect(l.state).toBe("closed");
    expect(readyToClose(l)).toBe(false);
  });

  it("grows while leases fill up and shrinks to what was used when they age out", () => {
    expect(nextWant(undefined)).toBe(FIRST_LEASE_WANT);
    const full = newLease("l", 8, SEC, need, {}, T0);
    for (let i = 1; i < 8; i++) admitLocal(full, need, T0);
    expect(nextWant(full)).toBe(16);
    const idle = newLease("l", 64, SEC, need, {}, T0);
    expect(nextWant(idle)).toBe(2);
    const huge = newLease("l", MAX_LEASE_WANT, SEC, need, {}, T0);
    huge.admitted = MAX_LEASE_WANT;
    expect(nextWant(huge)).toBe(MAX_LEASE_WANT);
  });

  it("sizes the next lease by what the last one admitted per second it was open", () => {
    // Got 500 ms before its second ended and admitted 40 there: 80 a second, and 1.5x that.
    const late = newLease("l", 100, SEC, need, {}, SEC * 1000 + 500);
    for (let i = 1; i < 40; i++) admitLocal(late, need, SEC * 1000 + 600);
    expect(nextWant(late)).toBe(120);
    // The same 40 over a whole second ask for 60, as before.
    const whole = newLease("l", 100, SEC, need, {}, SEC * 1000);
    for (let i = 1; i < 40; i++) admitLocal(whole, need, SEC * 1000 + 600);
    expect(nextWant(whole, SEC * 1000 + 1000)).toBe(60);
    // A few requests in a lease's last milliseconds count as spread over 250 ms, not as a flood.
    const last = newLease("l", 100, SEC, need, {}, SEC * 1000 + 990);
    expect(nextWant(last)).toBe(6);
    // Retired early (its money ran out before its second did): the time it was open until now.
    const early = newLease("l", 100, SEC, need, {}, SEC * 1000);
    for (let i = 1; i < 40; i++) admitLocal(early, need, SEC * 1000 + 100);
    expect(nextWant(early, SEC * 1000 + 400)).toBe(150);
  });

  it("reports the lease's unused part as still remaining in the rate-limit headers", () => {
    const l = newLease("l", 4, SEC, need, { limitRequests: 100, remainingRequests: 50, limitTokens: 1000, remainingTokens: 500 }, T0);
    expect(leaseRateInfo(l)).toMatchObject({ remainingRequests: 53, remainingTokens: 530 });
  });

  it("a lease granted ahead of time admits nothing before its second, then a whole second of requests", () => {
    const ahead = newLease("a", 3, SEC + 1, need, {}, T0, false);
    expect(ahead.admitted).toBe(0);
    expect(ahead.inflightCostNusd).toBe(0);
    expect(ahead.startsAt).toBe((SEC + 1) * 1000);
    expect(ahead.expiresAt).toBe((SEC + 2) * 1000);
    expect(admitLocal(ahead, need, (SEC + 1) * 1000 - 1)).toBe(false);
    expect(ahead.state).toBe("open");
    expect(admitLocal(ahead, need, (SEC + 1) * 1000)).toBe(true);
    // Never used: its settle returns every request.
    ahead.state = "retired";
    finishLocal(ahead, need, 0, 0, (SEC + 2) * 1000);
    expect(closingSettle(ahead)).toEqual({ costNusd: 0, tokens: 0, requests: 1 });
    const unused = newLease("u", 3, SEC + 1, need, {}, T0, false);
    unused.state = "retired";
    expect(readyToClose(unused)).toBe(true);
    expect(closingSettle(unused).requests).toBe(0);
  });

  it("fetches the next lease ahead: a spare when the count runs dry within the second, the next second's near its end", () => {
    const start = SEC * 1000;
    // 4 of 8 admitted in the first 100 ms: at that rate it runs dry this second.
    const busy = newLease("b", 8, SEC, need, {}, start);
    for (let i = 0; i < 3; i++) admitLocal(busy, need, start + 100);
    expect(prefetchSeconds(busy, start + 100)).toEqual([SEC]);
    // 2 of 100 admitted: plenty this second; the next second's lease once 300 ms are left.
    const calm = newLease("c", 100, SEC, need, {}, start);
    admitLocal(calm, need, start + 100);
    expect(prefetchSeconds(calm, start + 600)).toEqual([]);
    expect(prefetchSeconds(calm, start + 700)).toEqual([SEC + 1]);
    // Running dry late in the second: a spare for the rest of it and the next second's lease.
    for (let i = 0; i < 96; i++) admitLocal(calm, need, start + 750);
    expect(prefetchSeconds(calm, start + 750)).toEqual([SEC, SEC + 1]);
    // A quiet isolate (one request so far) fetches nothing ahead; nor does a retired lease.
    expect(prefetchSeconds(newLease("q", 100, SEC, need, {}, start), start + 900)).toEqual([]);
    calm.state = "retired";
    expect(prefetchSeconds(calm, start + 900)).toEqual([]);
  });
});
