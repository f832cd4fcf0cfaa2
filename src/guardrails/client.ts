/**
 * @module
 * The isolate side of budgets and limits: a lease (or, while one is being fetched, a single
 * reservation) from the team's TeamBudget Durable Object before the upstream call, and the actual
 * cost settled after the response (in waitUntil, off the critical path). Refusals become the
 * OpenAI 429 envelope with `retry-after` and OpenAI's x-ratelimit-* headers; crossed budget
 * thresholds become alerts.
 *
 * Most requests cost no I/O at all: they are admitted from a lease this isolate holds (see
 * ./lease.ts for why that stays exact). The DO round trip, when there is one, is measured per
 * request (usage detail `guard_ms`; 0 for a request admitted from a lease).
 */
import type { TeamPolicy, WorkloadPolicy } from "../config/bundle";
import { nusdToUsd } from "../config/money";
import type { Env } from "../env";
import { GatewayError } from "../errors/openai";
import { raiseAlert } from "../operations/alerts";
import { admitLocal, closingSettle, finishLocal, leaseRateInfo, newLease, nextWant, readyToClose, type Lease, type Need } from "./lease";
import type { LeaseDecision, LeaseInput, RateLimitInfo, ReserveDecision, ScopeLimits, SettleInput, ThresholdEvent } from "./ledger";
import type { BudgetPeriod } from "./period";
import { RESERVATION_TTL_MS, guardrailScopes, teamPeriod } from "./plan";

export interface GuardDeps {
  env: Env;
  ctx: { waitUntil(p: Promise<unknown>): void };
}

export interface Reservation {
  /** x-ratelimit-* headers for the response. */
  headers: Record<string, string>;
  /** Milliseconds the reserve RPC took. */
  rttMs: number;
  /** Charges the actual cost and tokens, releasing the rest (once; later calls are ignored). */
  settle(costNusd: number, tokens: number): void;
  /** Releases everything (the call failed or was answered from cache). */
  release(): void;
}

/**
 * OpenAI's rate-limit headers for what the ledger reported.
 * @example rateLimitHeaders({ limitRequests: 10, remainingRequests: 9 })["x-ratelimit-remaining-requests"] === "9"
 */
export function rateLimitHeaders(info: RateLimitInfo): Record<string, string> {
  const h: Record<string, string> = {};
  if (info.limitRequests !== undefined) h["x-ratelimit-limit-requests"] = String(info.limitRequests);
  if (info.remainingRequests !== undefined) h["x-ratelimit-remaining-requests"] = String(info.remainingRequests);
  if (info.limitTokens !== undefined) h["x-ratelimit-limit-tokens"] = String(info.limitTokens);
  if (info.remainingTokens !== undefined) h["x-ratelimit-remaining-tokens"] = String(info.remainingTokens);
  return h;
}

/** The 429 a refusal answers with; the scope is named, amounts are not (they are the team's business). */
export function refusalError(d: Extract<ReserveDecision, { ok: false }>): GatewayError {
  const headers = { "retry-after": String(d.retryAfterS), ...rateLimitHeaders(d.ratelimit) };
  if (d.reason === "budget") {
    return new GatewayError(429, "insufficient_quota", "budget_exceeded", `The ${d.scope} budget for this period does not cover this request. Retry after ${d.retryAfterS} s or ask for a larger budget.`, null, headers);
  }
  const what = d.reason === "requests" ? "requests per minute" : "tokens per minute";
  return new GatewayError(429, "rate_limit_error", d.reason === "requests" ? "rate_limit_exceeded" : "tokens_rate_limit_exceeded", `Rate limit reached for ${d.scope}: ${what}. Retry after ${d.retryAfterS} s.`, null, headers);
}

/** Turns ledger threshold events into alerts (never with request content). */
export function announceThresholds(env: Env, team: string, events: ThresholdEvent[]): Promise<unknown> {
  return Promise.all(
    events.map((e) =>
      raiseAlert(env, {
        kind: "budget_threshold",
        severity: e.percent >= 100 ? "critical" : e.percent >= 80 ? "warning" : "info",
        title: `Team ${team} ${e.scope} budget ${e.refused ? "exhausted (request refused)" : `reached ${e.percent}%`} for ${e.period}`,
        evidence: { team, scope: e.scope, percent: e.percent, spent_usd: nusdToUsd(e.spentNusd), limit_usd: nusdToUsd(e.limitNusd), period: e.period, refused: e.refused },
      }),
    ),
  ).catch((err: unknown) => console.error("budget alert failed", { error: err instanceof Error ? err.message : String(err) }));
}

export function budgetStub(env: Env, team: string): DurableObjectStub<import("../../durable-objects/team-budget").TeamBudget> {
  return env.TEAM_BUDGET.get(env.TEAM_BUDGET.idFromName(team));
}

interface RequestNeed {
  requestId: string;
  team: TeamPolicy;
  workload: WorkloadPolicy;
  keyId: string;
  costNusd: number;
  tokens: number;
}

/** One isolate's leases for one scope chain (team, workload, key) and period. Plain data only. */
interface Pool {
  team: string;
  scopes: ScopeLimits[];
  period: BudgetPeriod;
  current?: Lease;
  /** A request of this isolate is asking for a lease right now (others reserve singly meanwhile). */
  acquiring: boolean;
  want: number;
}

const pools = new Map<string, Pool>();

function poolFor(team: string, scopes: ScopeLimits[], period: BudgetPeriod): Pool {
  const key = `${team}|${period}|${scopes.map((s) => s.key).join(",")}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = { team, scopes, period, acquiring: false, want: nextWant(undefined) };
    pools.set(key, pool);
  }
  // Limits come from the current bundle; a lease's closing settle checks thresholds against them.
  pool.scopes = scopes;
  return pool;
}

function unavailable(err: unknown): GatewayError {
  // Fail closed: without the ledger we cannot promise the budget holds.
  console.error("budget reserve failed", { error: err instanceof Error ? err.message : String(err) });
  return new GatewayError(503, "service_unavailable", "budget_unavailable", "The budget service did not answer; nothing was sent upstream. Retry shortly.", null, { "retry-after": "1" });
}

/** Sends a settle from the current request's context; thresholds it crosses become alerts. */
function sendSettle(deps: GuardDeps, team: string, input: SettleInput): void {
  deps.ctx.waitUntil(
    budgetStub(deps.env, team)
      .settle(input)
      .then((events) => (events.length ? announceThresholds(deps.env, team, events) : undefined))
      .catch((err: unknown) => console.error("budget settle failed; the alarm will release the reservation", { error: err instanceof Error ? err.message : String(err) })),
  );
}

/**
 * Retires a lease (it admits nothing more). When nothing of it is in flight it is closed, and
 * its settle is returned for the caller to send: on its own, or inside the next lease call.
 */
function retireLease(lease: Lease): LeaseInput["close"] {
  if (lease.state === "open") lease.state = "retired";
  return readyToClose(lease) ? { reservationId: lease.id, ...closingSettle(lease) } : undefined;
}

/** Retires a lease; if it is drained, its settle goes now (from this request) and the pool lets go of it. */
function retire(deps: GuardDeps, pool: Pool, lease: Lease): void {
  const closing = retireLease(lease);
  if (!closing) return;
  if (pool.current === lease) pool.current = undefined;
  sendSettle(deps, pool.team, { ...closing, scopes: pool.scopes, period: pool.period });
}

/** A request admitted from a lease: finishing it only changes numbers, unless it drains a retired lease. */
function leased(deps: GuardDeps, pool: Pool, lease: Lease, need: Need, rttMs: number): Reservation {
  let done = false;
  const finish = (costNusd: number, tokens: number) => {
    if (done) return;
    done = true;
    if (finishLocal(lease, need, costNusd, tokens, Date.now())) retire(deps, pool, lease);
  };
  return { headers: rateLimitHeaders(leaseRateInfo(lease)), rttMs, settle: finish, release: () => finish(0, 0) };
}

/** The single-request form: used while another request of this isolate is fetching a lease. */
async function reserveSingle(deps: GuardDeps, pool: Pool, req: RequestNeed, need: Need): Promise<Reservation> {
  const reservationId = `${req.requestId}:${crypto.randomUUID()}`;
  const t0 = Date.now();
  let decision: ReserveDecision;
  try {
    decision = await budgetStub(deps.env, req.team.id).reserve({ reservationId, requestId: req.requestId, scopes: pool.scopes, period: pool.period, costNusd: need.costNusd, tokens: need.tokens, ttlMs: RESERVATION_TTL_MS });
  } catch (err) {
    throw unavailable(err);
  }
  const rttMs = Date.now() - t0;
  if (decision.thresholds.length) deps.ctx.waitUntil(announceThresholds(deps.env, req.team.id, decision.thresholds));
  if (!decision.ok) {
    // The headroom may be parked in the lease this isolate just got: use it before refusing.
    if (pool.current && admitLocal(pool.current, need, Date.now())) return leased(deps, pool, pool.current, need, rttMs);
    throw refusalError(decision);
  }
  let done = false;
  const finish = (costNusd: number, tokens: number) => {
    if (done) return;
    done = true;
    sendSettle(deps, req.team.id, { reservationId, scopes: pool.scopes, period: pool.period, costNusd, tokens });
  };
  return { headers: rateLimitHeaders(decision.ratelimit), rttMs, settle: finish, release: () => finish(0, 0) };
}

/**
 * Reserves a request's worst case, or throws the 429: from this isolate's lease when it has
 * room (no I/O at all), otherwise by asking the TeamBudget DO for a new lease (src/guardrails/lease.ts).
 * @example const r = await reserveBudget(deps, { requestId, team, workload, keyId, costNusd, tokens });
 */
export async function reserveBudget(deps: GuardDeps, req: RequestNeed): Promise<Reservation> {
  const pool = poolFor(req.team.id, guardrailScopes(req.team, req.workload, req.keyId), teamPeriod(req.team));
  const need: Need = { costNusd: req.costNusd, tokens: req.tokens };
  const previous = pool.current;
  if (previous && admitLocal(previous, need, Date.now())) return leased(deps, pool, previous, need, 0);
  if (pool.acquiring) return reserveSingle(deps, pool, req, need);
  // A drained previous lease is closed inside the new lease's call (one RPC, and its unused part
  // is headroom again before the new lease is sized); one still in flight closes when it drains.
  const closing = previous && retireLease(previous);
  pool.want = nextWant(previous, Date.now());
  pool.acquiring = true;
  const leaseId = `lease:${req.requestId}:${crypto.randomUUID()}`;
  const t0 = Date.now();
  let decision: LeaseDecision;
  try {
    decision = await budgetStub(deps.env, req.team.id).lease({ reservationId: leaseId, requestId: req.requestId, scopes: pool.scopes, period: pool.period, costNusd: need.costNusd, tokens: need.tokens, ttlMs: RESERVATION_TTL_MS, want: pool.want, close: closing });
  } catch (err) {
    // The previous lease's settle rode on the failed call: send it on its own.
    if (closing) sendSettle(deps, pool.team, { ...closing, scopes: pool.scopes, period: pool.period });
    throw unavailable(err);
  } finally {
    pool.acquiring = false;
  }
  const now = Date.now();
  if (decision.thresholds.length) deps.ctx.waitUntil(announceThresholds(deps.env, req.team.id, decision.thresholds));
  if (!decision.ok) throw refusalError(decision);
  const lease = newLease(leaseId, decision.granted, decision.windowSec, need, decision.ratelimit, now);
  pool.current = lease;
  // This request owns the lease's end: when its second is over, retire it (and settle if drained).
  deps.ctx.waitUntil(new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, lease.expiresAt - now) + 5)).then(() => retire(deps, pool, lease)));
  return leased(deps, pool, lease, need, now - t0);
}
