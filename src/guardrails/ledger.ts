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
}

export interface SettleInput {
  reservationId: string;
  scopes: ScopeLimits[];
  period: BudgetPeriod;
  costNusd: number;
  tokens: number;
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

export type RefusalReason = "budget" | "requests" | "tokens";

export type ReserveDecision =
  | { ok: true; ratelimit: RateLimitInfo; thresholds: ThresholdEvent[] }
  | { ok: false; reason: RefusalReason; scope: string; retryAfterS: number; ratelimit: RateLimitInfo; thresholds: ThresholdEvent[] };

export const THRESHOLDS = [50, 80, 100] as const;

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
  const nowSec = Math.floor(now / 1000);
  const label = periodBounds(input.period, now).label;
  const states = input.scopes.map((l) => ({ l, s: scopeState(state, l.key, input.period, now) }));
  for (const { l, s } of states) {
    if (l.rpm !== undefined) {
      const wait = windowRetryAfterS(s.requests, nowSec, l.rpm, 1);
      if (wait > 0) return { ok: false, reason: "requests", scope: l.key, retryAfterS: wait, ratelimit: rateInfo(state, input.scopes, nowSec), thresholds: [] };
    }
    if (l.tpm !== undefined) {
      const wait = windowRetryAfterS(s.tokens, nowSec, l.tpm, input.tokens);
      if (wait > 0) return { ok: false, reason: "tokens", scope: l.key, retryAfterS: wait, ratelimit: rateInfo(state, input.scopes, nowSec), thresholds: [] };
    }
  }
  for (const { l, s } of states) {
    if (l.budgetNusd === undefined) continue;
    if (s.spentNusd + s.reservedNusd + input.costNusd > l.budgetNusd) {
      const exhausted = s.spentNusd + input.costNusd > l.budgetNusd;
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
        ratelimit: rateInfo(state, input.scopes, nowSec),
        thresholds,
      };
    }
  }
  for (const { s } of states) {
    windowAdd(s.requests, nowSec, 1);
    windowAdd(s.tokens, nowSec, input.tokens);
    s.reservedNusd += input.costNusd;
  }
  state.reservations.set(input.reservationId, {
    id: input.reservationId,
    requestId: input.requestId,
    scopes: input.scopes.map((l) => l.key),
    costNusd: input.costNusd,
    tokens: input.tokens,
    atSec: nowSec,
    expiresAt: now + input.ttlMs,
  });
  return { ok: true, ratelimit: rateInfo(state, input.scopes, nowSec), thresholds: [] };
}

/** Removes a reservation and returns what it held to every scope it touched. */
function releaseRecord(state: LedgerState, r: ReservationRecord, actualTokens: number): void {
  state.reservations.delete(r.id);
  for (const key of r.scopes) {
    const s = state.scopes.get(key);
    if (!s) continue;
    s.reservedNusd = Math.max(0, s.reservedNusd - r.costNusd);
    windowAdjust(s.tokens, r.atSec, actualTokens - r.tokens);
  }
}

/**
 * Replaces the reservation by the actual cost and tokens (0 and 0 release a failed call), and
 * reports thresholds crossed. A reservation the alarm already swept still gets charged: the
 * money was spent even if the settle came late.
 */
export function settle(state: LedgerState, input: SettleInput, now: number): ThresholdEvent[] {
  const r = state.reservations.get(input.reservationId);
  if (r) releaseRecord(state, r, input.tokens);
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
      releaseRecord(state, r, 0);
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
