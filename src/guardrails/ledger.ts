/**
 * @module
 * The budget and rate-limit ledger of one team, as plain data and pure functions. The TeamBudget
 * Durable Object holds exactly one ledger per team and runs these functions one request at a time
 * (a DO is single-threaded), which is what makes budgets and limits exact across isolates.
 *
 * A ledger has scopes: `team`, `workload:<id>` and `key:<id>`, each with its own spend, in-flight
 * reservations and rpm/tpm windows. A request names the scopes it touches with their current
 * limits (limits come from the policy bundle on every call, so an admin change applies at once).
 *
 * Invariant: for every scope with a budget, `spent + reserved <= limit` after every admission.
 * Reservations are worst-case, so spend can only pass the limit when a call costs more than its
 * reservation (a prompt estimate that was too low): by at most that one request's difference.
 *
 * A reservation may cover several requests: a *lease* (see ./lease.ts) is `count` worst cases
 * reserved at once, which an isolate then spends locally. It is admitted by exactly the same
 * checks as `count` single requests, so the invariant above holds for leases too.
 *
 * A lease may be granted *ahead of time* for the next second (`atSec`): its requests are counted
 * in that second's rate bucket, and checked against every window that second belongs to; checks
 * made now also count that bucket (./window.ts), so what is promised for the next second is
 * never handed out again meanwhile. Money is reserved at once, as for any lease.
 */
import { budgetRetryAfterS, periodBounds, type BudgetPeriod } from "./period";
import { emptyWindow, windowAdd, windowAdjust, windowRetryAfterS, windowUsed, type RateWindow } from "./window";

/** Limits of one scope for this request; an absent limit is not enforced. */
export interface ScopeLimits {
  key: string;
  budgetNusd?: number;
  rpm?: number;
  tpm?: number;
}

export interface ScopeState {
  key: string;
  /** Start (epoch ms) of the period `spentNusd` and `fired` belong to. */
  periodStart: number;
  spentNusd: number;
  reservedNusd: number;
  /** Threshold percents already announced this period. */
  fired: number[];
  requests: RateWindow;
  tokens: RateWindow;
}

export interface ReservationRecord {
  id: string;
  requestId: string;
  scopes: string[];
  costNusd: number;
  tokens: number;
  /** Requests counted in the rpm window (1, or a lease's size; absent in records written before leases). */
  requests?: number;
  /** Epoch second the tokens were counted at (to correct them on settle). */
  atSec: number;
  expiresAt: number;
}

export interface LedgerState {
  scopes: Map<string, ScopeState>;
  reservations: Map<string, ReservationRecord>;
}

export interface ReserveInput {
  reservationId: string;
  requestId: string;
  scopes: ScopeLimits[];
  period: BudgetPeriod;
  /** Worst-case cost of the call in nano-dollars. */
  costNusd: number;
  /** Worst-case tokens (prompt estimate + max output). */
  tokens: number;
  /** How long the reservation may live before the alarm releases it. */
  ttlMs: number;
  /** Requests covered (default 1): cost, tokens and the rpm count are all multiplied by it. */
  count?: number;
  /**
   * Epoch second the requests will be made in, and are counted at: now's (default), or the next
   * one for a lease granted ahead of time. Anything else is clamped to those two.
   */
  atSec?: number;
}

export interface SettleInput {
  reservationId: string;
  scopes: ScopeLimits[];
  period: BudgetPeriod;
  costNusd: number;
  tokens: number;
  /** Requests actually made under the reservation (a lease may return unused ones); default: all. */
  requests?: number;
}

/** OpenAI's x-ratelimit-* facts for the tightest scope of each metric. */
export interface RateLimitInfo {
  limitRequests?: number;
  remainingRequests?: number;
  limitTokens?: number;
  remainingTokens?: number;
}

export interface ThresholdEvent {
  scope: string;
  percent: number;
  spentNusd: number;
  limitNusd: number;
  period: string;
  /** True when announced because a request was refused for budget. */
  refused: boolean;
}

/** A lease request: the per-request worst case in `costNusd`/`tokens`, and how many it would like. */
export interface LeaseInput extends ReserveInput {
  want: number;
  /** The isolate's previous lease, drained: settled first, in the same turn, so its unused part counts as headroom. */
  close?: Omit<SettleInput, "scopes" | "period">;
}

/** A granted lease also says which second its requests were counted in (they may only be used within it). */
export type LeaseDecision = (Extract<ReserveDecision, { ok: true }> & { granted: number; windowSec: number }) | Extract<ReserveDecision, { ok: false }>;

export type RefusalReason = "budget" | "requests" | "tokens";

export type ReserveDecision =
  | { ok: true; ratelimit: RateLimitInfo; thresholds: ThresholdEvent[] }
  | { ok: false; reason: RefusalReason; scope: string; retryAfterS: number; ratelimit: RateLimitInfo; thresholds: ThresholdEvent[] };

export const THRESHOLDS = [50, 80, 100] as const;

/**
 * The second a reservation's requests are counted in: the asked one if it is now's or the next,
 * else the nearest of those (an ahead-of-time lease call that arrived late counts now).
 * @example countSecond(101, 100) === 101
 * @example countSecond(99, 100) === 100
 */
export function countSecond(asked: number | undefined, nowSec: number): number {
  if (asked === undefined) return nowSec;
  return Math.min(nowSec + 1, Math.max(nowSec, asked));
}

/** When only in-flight reservations block a request, it may fit again soon. */
const IN_FLIGHT_RETRY_AFTER_S = 2;

export function emptyLedger(): LedgerState {
  return { scopes: new Map(), reservations: new Map() };
}

/** The scope's state for the current period, rolling spend over when a new period began. */
export function scopeState(state: LedgerState, key: string, period: BudgetPeriod, now: number): ScopeState {
  const start = periodBounds(period, now).start;
  let s = state.scopes.get(key);
  if (!s) {
    s = { key, periodStart: start, spentNusd: 0, reservedNusd: 0, fired: [], requests: emptyWindow(), tokens: emptyWindow() };
    state.scopes.set(key, s);
  } else if (s.periodStart !== start) {
    s.periodStart = start;
    s.spentNusd = 0;
    s.fired = [];
  }
  return s;
}

function rateInfo(state: LedgerState, scopes: ScopeLimits[], nowSec: number): RateLimitInfo {
  const info: RateLimitInfo = {};
  for (const l of scopes) {
    const s = state.scopes.get(l.key);
    if (!s) continue;
    if (l.rpm !== undefined) {
      const remaining = Math.max(0, l.rpm - windowUsed(s.requests, nowSec));
      if (info.remainingRequests === undefined || remaining < info.remainingRequests) Object.assign(info, { limitRequests: l.rpm, remainingRequests: remaining });
    }
    if (l.tpm !== undefined) {
      const remaining = Math.max(0, l.tpm - windowUsed(s.tokens, nowSec));
      if (info.remainingTokens === undefined || remaining < info.remainingTokens) Object.assign(info, { limitTokens: l.tpm, remainingTokens: remaining });
    }
  }
  return info;
}

function crossed(s: ScopeState, limitNusd: number, label: string): ThresholdEvent[] {
  const out: ThresholdEvent[] = [];
  for (const p of THRESHOLDS) {
    if (s.fired.includes(p)) continue;
    // Integer arithmetic: spent/limit >= p/100, and a zero budget is at 100% from the start.
    if (s.spentNusd * 100 >= p * limitNusd) {
      s.fired.push(p);
      out.push({ scope: s.key, percent: p, spentNusd: s.spentNusd, limitNusd, period: label, refused: false });
    }
  }
  return out;
}

/**
 * Checks every scope (requests, tokens, budget) and, only if all pass, counts the request and
 * reserves its worst-case cost: all or nothing, in one call.
 * @example reserve(ledger, { reservationId: "r1", requestId: "q1", scopes: [{ key: "team", budgetNusd: 10, rpm: 5 }], period: "monthly", costNusd: 3, tokens: 40, ttlMs: 60_000 }, Date.now())
 */
export function reserve(state: LedgerState, input: ReserveInput, now: number): ReserveDecision {
  // Rate checks and counts happen at the second the requests are made in (see countSecond).
  const atSec = countSecond(input.atSec, Math.floor(now / 1000));
  const label = periodBounds(input.period, now).label;
  const count = input.count ?? 1;
  const costNusd = input.costNusd * count;
  const tokens = input.tokens * count;
  const states = input.scopes.map((l) => ({ l, s: scopeState(state, l.key, input.period, now) }));
  for (const { l, s } of states) {
    if (l.rpm !== undefined) {
      const wait = windowRetryAfterS(s.requests, atSec, l.rpm, count);
      if (wait > 0) return { ok: false, reason: "requests", scope: l.key, retryAfterS: wait, ratelimit: rateInfo(state, input.scopes, atSec), thresholds: [] };
    }
    if (l.tpm !== undefined) {
      const wait = windowRetryAfterS(s.tokens, atSec, l.tpm, tokens);
      if (wait > 0) return { ok: false, reason: "tokens", scope: l.key, retryAfterS: wait, ratelimit: rateInfo(state, input.scopes, atSec), thresholds: [] };
    }
  }
  for (const { l, s } of states) {
    if (l.budgetNusd === undefined) continue;
    if (s.spentNusd + s.reservedNusd + costNusd > l.budgetNusd) {
      const exhausted = s.spentNusd + costNusd > l.budgetNusd;
      const thresholds: ThresholdEvent[] = [];
      // Any budget refusal is announced once a period: the team is being turned away either way.
      if (!s.fired.includes(100)) {
        s.fired.push(100);
        thresholds.push({ scope: s.key, percent: 100, spentNusd: s.spentNusd, limitNusd: l.budgetNusd, period: label, refused: true });
      }
      return {
        ok: false,
        reason: "budget",
        scope: l.key,
        retryAfterS: exhausted ? budgetRetryAfterS(input.period, now) : IN_FLIGHT_RETRY_AFTER_S,
        ratelimit: rateInfo(state, input.scopes, atSec),
        thresholds,
      };
    }
  }
  for (const { s } of states) {
    windowAdd(s.requests, atSec, count);
    windowAdd(s.tokens, atSec, tokens);
    s.reservedNusd += costNusd;
  }
  state.reservations.set(input.reservationId, {
    id: input.reservationId,
    requestId: input.requestId,
    scopes: input.scopes.map((l) => l.key),
    costNusd,
    tokens,
    requests: count,
    atSec,
    expiresAt: now + input.ttlMs,
  });
  return { ok: true, ratelimit: rateInfo(state, input.scopes, atSec), thresholds: [] };
}

/** A lease takes at most this fraction (1/n) of any scope's remaining headroom. */
export const LEASE_SHARE = 8;

/**
 * How many requests of this size one lease may cover: as many as every scope's budget, rpm and
 * tpm headroom allows, but at most `want` and at most 1/{@link LEASE_SHARE} of that headroom, so
 * other isolates still find room and a nearly spent budget degrades to one request at a time
 * (which is exactly the single-request reservation). 0 when not even one request fits.
 * @example leaseCount(emptyLedger(), { ...input, scopes: [{ key: "team", rpm: 80 }] }, 64, now) === 10
 */
export function leaseCount(state: LedgerState, input: ReserveInput, want: number, now: number): number {
  const atSec = countSecond(input.atSec, Math.floor(now / 1000));
  let fit = Number.POSITIVE_INFINITY;
  for (const l of input.scopes) {
    const s = scopeState(state, l.key, input.period, now);
    if (l.budgetNusd !== undefined && input.costNusd > 0) fit = Math.min(fit, Math.floor((l.budgetNusd - s.spentNusd - s.reservedNusd) / input.costNusd));
    if (l.rpm !== undefined) fit = Math.min(fit, l.rpm - windowUsed(s.requests, atSec));
    if (l.tpm !== undefined && input.tokens > 0) fit = Math.min(fit, Math.floor((l.tpm - windowUsed(s.tokens, atSec)) / input.tokens));
  }
  if (fit < 1) return 0;
  return Math.max(1, Math.min(want, Math.floor(fit / LEASE_SHARE)));
}

/** Removes a reservation and returns what it held to every scope it touched. */
function releaseRecord(state: LedgerState, r: ReservationRecord, actualTokens: number, actualRequests: number): void {
  state.reservations.delete(r.id);
  for (const key of r.scopes) {
    const s = state.scopes.get(key);
    if (!s) continue;
    s.reservedNusd = Math.max(0, s.reservedNusd - r.costNusd);
    windowAdjust(s.tokens, r.atSec, actualTokens - r.tokens);
    windowAdjust(s.requests, r.atSec, actualRequests - (r.requests ?? 1));
  }
}

/**
 * Replaces the reservation by the actual cost and tokens (0 and 0 release a failed call), and
 * reports thresholds crossed. A reservation the alarm already swept still gets charged: the
 * money was spent even if the settle came late.
 */
export function settle(state: LedgerState, input: SettleInput, now: number): ThresholdEvent[] {
  const r = state.reservations.get(input.reservationId);
  // A lease returns the requests it did not use; a single reservation keeps its one request.
  if (r) releaseRecord(state, r, input.tokens, Math.min(input.requests ?? r.requests ?? 1, r.requests ?? 1));
  if (input.costNusd <= 0) return [];
  const label = periodBounds(input.period, now).label;
  const events: ThresholdEvent[] = [];
  for (const l of input.scopes) {
    const s = scopeState(state, l.key, input.period, now);
    s.spentNusd += input.costNusd;
    if (l.budgetNusd !== undefined) events.push(...crossed(s, l.budgetNusd, label));
  }
  return events;
}

/** Releases every reservation whose expiry has passed; returns their ids. */
export function sweep(state: LedgerState, now: number): string[] {
  const gone: string[] = [];
  for (const r of state.reservations.values()) {
    if (r.expiresAt <= now) {
      // Requests stay counted (they may have been made); tokens fall back to none, as before.
      releaseRecord(state, r, 0, r.requests ?? 1);
      gone.push(r.id);
    }
  }
  return gone;
}

/** Earliest reservation expiry, for the DO alarm. */
export function nextExpiry(state: LedgerState): number | undefined {
  let next: number | undefined;
  for (const r of state.reservations.values()) if (next === undefined || r.expiresAt < next) next = r.expiresAt;
  return next;
}

export interface BudgetStatus {
  limitNusd: number;
  spentNusd: number;
  reservedNusd: number;
  remainingNusd: number;
  period: string;
  periodStart: string;
  periodEnd: string;
}

/** What GET /teams/{id}/budget shows for one scope. */
export function budgetStatus(state: LedgerState, key: string, limitNusd: number, period: BudgetPeriod, now: number): BudgetStatus {
  const s = scopeState(state, key, period, now);
  const b = periodBounds(period, now);
  return {
    limitNusd,
    spentNusd: s.spentNusd,
    reservedNusd: s.reservedNusd,
    remainingNusd: Math.max(0, limitNusd - s.spentNusd - s.reservedNusd),
    period: b.label,
    periodStart: new Date(b.start).toISOString(),
    periodEnd: new Date(b.end).toISOString(),
  };
}
