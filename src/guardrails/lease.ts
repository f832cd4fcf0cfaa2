/**
 * @module
 * Budget leases, the isolate side, as plain data and pure functions.
 *
 * Asking the team's TeamBudget Durable Object before every request puts a cross-object round trip
 * on every request's critical path. Instead an isolate asks for a *lease*: the worst case of
 * several requests reserved in one call (the DO sizes it: at most 1/8 of any scope's headroom).
 * Requests are then admitted against the lease in memory, synchronously, with the same rule the
 * DO applies: money, tokens and request count in flight or spent never exceed what was granted.
 * When the lease is full or its second is over it is retired; once its last request has finished, one
 * `settle` gives the DO the actual cost, tokens and number of requests, and returns the rest.
 *
 * Why this stays exact: everything a lease admits was reserved in the DO first, so across all
 * isolates spend and limits stay within their bounds exactly as with one reservation per request;
 * the only difference is that headroom parked in a lease is not available to another isolate for
 * up to two seconds (bounded by the 1/8 share, and nil when a budget is nearly spent: leases then
 * shrink to one request). Rate windows stay exact because the DO counts all of a lease's requests
 * in one second (its `windowSec`), and the lease admits only within that same second: every request
 * is counted in the bucket of the second it was made in, as a single reservation would be.
 *
 * Leases ahead of time: a lease that is about to run out (its second nearly over, or its count
 * going faster than its second) has the next one fetched in the background
 * ({@link prefetchSeconds}), so requests at the boundary find a lease in memory instead of each
 * awaiting a DO round trip. A lease for the next second is granted and counted in that second's
 * bucket (the DO checks it against every window that second belongs to) and admits nothing before
 * its second starts; one for the current second is a spare that takes over when the current lease
 * is full. Either way it holds no request until it takes over, and if it never does, its settle
 * returns everything.
 *
 * Leases are plain data that any request of the isolate may change; the request whose call got a
 * lease owns that RPC, and whichever request finishes a retired lease's last call sends its settle
 * from its own context.
 */
import type { RateLimitInfo } from "./ledger";

/** A lease admits requests for at most this long, and never past the end of its window second. */
export const LEASE_MAX_AGE_MS = 1000;
/** Requests a first lease asks for; later leases grow ×2 while they fill up, up to the maximum. */
export const FIRST_LEASE_WANT = 4;
export const MAX_LEASE_WANT = 512;

export interface Need {
  costNusd: number;
  tokens: number;
}

export interface Lease {
  /** The reservation id in the DO. */
  id: string;
  /** The epoch second the DO counted its requests in: it admits only within it. */
  windowSec: number;
  /** When it started admitting (this isolate's clock): with `admitted`, the rate the next lease is sized by. */
  grantedAt: number;
  /** It admits nothing before this (a lease granted ahead of time waits for its second). */
  startsAt: number;
  expiresAt: number;
  /** What the DO reserved: requests, worst-case money and tokens. */
  grant: { requests: number; costNusd: number; tokens: number };
  /** Requests admitted so far (each counts against the rpm window once). */
  admitted: number;
  inflight: number;
  /** Worst case of requests still running. */
  inflightCostNusd: number;
  inflightTokens: number;
  /** Actual cost and tokens of finished requests. */
  spentNusd: number;
  spentTokens: number;
  /** Rate-limit facts as the DO reported them at grant time. */
  ratelimit: RateLimitInfo;
  /** open: admits; retired: admits nothing more, settles when drained; closed: settle sent. */
  state: "open" | "retired" | "closed";
}

/**
 * A new lease of `granted` requests of size `need`: with the first of them already admitted (the
 * request that asked for it), or, granted ahead of time (`admitFirst` false), with none, admitting
 * from the start of its second.
 * @example newLease("l1", 4, 1_700_000_000, { costNusd: 10, tokens: 5 }, {}, 0).grant // { requests: 4, costNusd: 40, tokens: 20 }
 */
export function newLease(id: string, granted: number, windowSec: number, need: Need, ratelimit: RateLimitInfo, now: number, admitFirst = true): Lease {
  const startsAt = admitFirst ? now : Math.max(now, windowSec * 1000);
  const first = admitFirst ? 1 : 0;
  return {
    id,
    windowSec,
    grantedAt: startsAt,
    startsAt,
    // The DO counted the lease's requests at `windowSec` (its clock); use them only within it.
    expiresAt: Math.min(startsAt + LEASE_MAX_AGE_MS, (windowSec + 1) * 1000),
    grant: { requests: granted, costNusd: need.costNusd * granted, tokens: need.tokens * granted },
    admitted: first,
    inflight: first,
    inflightCostNusd: need.costNusd * first,
    inflightTokens: need.tokens * first,
    spentNusd: 0,
    spentTokens: 0,
    ratelimit,
    state: "open",
  };
}

/** Retires an open lease that has reached its age. */
export function ageLease(lease: Lease, now: number): void {
  if (lease.state === "open" && now >= lease.expiresAt) lease.state = "retired";
}

/**
 * Admits one request against the lease if it is open, young enough and has room for the
 * request's worst case in requests, money and tokens. Mutates the lease on success.
 */
export function admitLocal(lease: Lease, need: Need, now: number): boolean {
  ageLease(lease, now);
  if (lease.state !== "open" || now < lease.startsAt) return false;
  const fits =
    lease.admitted + 1 <= lease.grant.requests &&
    lease.spentNusd + lease.inflightCostNusd + need.costNusd <= lease.grant.costNusd &&
    lease.spentTokens + lease.inflightTokens + need.tokens <= lease.grant.tokens;
  if (!fits) return false;
  lease.admitted++;
  lease.inflight++;
  lease.inflightCostNusd += need.costNusd;
  lease.inflightTokens += need.tokens;
  return true;
}

/**
 * A finished request replaces its worst case by what it actually cost (0 and 0 for a failure).
 * Returns true when the lease is now ready to be closed (retired and drained).
 */
export function finishLocal(lease: Lease, need: Need, costNusd: number, tokens: number, now: number): boolean {
  lease.inflight--;
  lease.inflightCostNusd -= need.costNusd;
  lease.inflightTokens -= need.tokens;
  lease.spentNusd += costNusd;
  lease.spentTokens += tokens;
  ageLease(lease, now);
  return readyToClose(lease);
}

/** Retired with nothing in flight: its settle may go. */
export function readyToClose(lease: Lease): boolean {
  return lease.state === "retired" && lease.inflight === 0;
}

/** The settle a lease closes with: actuals, and how many of its requests were used. */
export function closingSettle(lease: Lease): { costNusd: number; tokens: number; requests: number } {
  lease.state = "closed";
  return { costNusd: lease.spentNusd, tokens: lease.spentTokens, requests: lease.admitted };
}

/** The shortest time a lease's admissions are spread over when its rate sizes the next lease. */
export const MIN_RATE_WINDOW_MS = 250;

/**
 * The next lease's size: double while leases fill up (all their requests used), otherwise 1.5×
 * what the last one admitted per second it was open (so a quiet isolate asks for little and
 * strands nothing). Per second, not per lease: a lease got late in a second is open for only
 * part of it, and sizing the next one, which usually gets a whole second, by its count alone ran
 * that one dry mid-second, and every request arriving while the isolate fetched another lease
 * awaited a Durable Object round trip (the tail of `guard_ms`). The time is at least
 * {@link MIN_RATE_WINDOW_MS}, so a few requests in a lease's last milliseconds do not look like a flood.
 * @example nextWant({ ...lease, admitted: 4, grant: { requests: 4, ... } }) === 8
 * @example nextWant({ ...lease, admitted: 50, grantedAt: 0, expiresAt: 500, grant: { requests: 100, ... } }) === 150
 */
export function nextWant(previous: Lease | undefined, now = previous?.expiresAt ?? 0): number {
  if (!previous) return FIRST_LEASE_WANT;
  if (previous.admitted >= previous.grant.requests) return Math.min(MAX_LEASE_WANT, previous.grant.requests * 2);
  const openMs = Math.min(LEASE_MAX_AGE_MS, Math.max(MIN_RATE_WINDOW_MS, Math.min(now, previous.expiresAt) - previous.grantedAt));
  const perSecond = (previous.admitted * 1000) / openMs;
  return Math.max(1, Math.min(MAX_LEASE_WANT, Math.ceil(perSecond * 1.5)));
}

/** A lease must have admitted this many before the next one is fetched ahead (a quiet isolate strands nothing). */
export const PREFETCH_MIN_ADMITTED = 2;
/** The next second's lease is fetched once the current one's second has at most this long to go. */
export const PREFETCH_LEAD_MS = 300;
/** The shortest time a lease's admissions are spread over when estimating whether it runs dry. */
const MIN_DRY_RATE_MS = 50;

/**
 * Which leases to fetch now, in the background, by the second they are for: the current one (a
 * spare) when at its rate so far the lease runs out of requests before its second ends; the next
 * one when its second has at most {@link PREFETCH_LEAD_MS} to go. Both may be wanted (a spare
 * for the rest of this second and the next second's); the caller skips seconds it already holds
 * or is fetching. Nothing for a lease that is not open or has admitted fewer than
 * {@link PREFETCH_MIN_ADMITTED}.
 * @example prefetchSeconds({ ...lease, windowSec: 10, grantedAt: 10_000, expiresAt: 11_000, admitted: 2, grant: { requests: 100, ... } }, 10_800) // [11]
 * @example prefetchSeconds({ ...lease, windowSec: 10, grantedAt: 10_000, expiresAt: 11_000, admitted: 6, grant: { requests: 8, ... } }, 10_100) // [10]
 */
export function prefetchSeconds(lease: Lease, now: number): number[] {
  if (lease.state !== "open" || lease.admitted < PREFETCH_MIN_ADMITTED || now >= lease.expiresAt) return [];
  const seconds: number[] = [];
  const left = lease.grant.requests - lease.admitted;
  const openMs = Math.max(MIN_DRY_RATE_MS, now - lease.grantedAt);
  // left / rate < time to go, with rate = admitted / openMs; integers only.
  if (left * openMs < lease.admitted * (lease.expiresAt - now)) seconds.push(lease.windowSec);
  if (lease.expiresAt - now <= PREFETCH_LEAD_MS) seconds.push(lease.windowSec + 1);
  return seconds;
}

/** OpenAI's x-ratelimit-* facts for a request admitted from the lease (its unused part is still ours). */
export function leaseRateInfo(lease: Lease): RateLimitInfo {
  const info: RateLimitInfo = { ...lease.ratelimit };
  if (info.remainingRequests !== undefined) info.remainingRequests += lease.grant.requests - lease.admitted;
  if (info.remainingTokens !== undefined) info.remainingTokens += Math.max(0, lease.grant.tokens - lease.spentTokens - lease.inflightTokens);
  return info;
}
