/**
 * @module
 * The isolate side of budgets and limits: a lease (fetched ahead of time where it can be; a
 * single reservation only when a joined lease call left no room) from the team's TeamBudget
 * Durable Object before the upstream call, and the actual cost settled after the response (in waitUntil, off the critical path). Refusals become the
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
import { admitLocal, closingSettle, finishLocal, leaseRateInfo, newLease, nextWant, prefetchSeconds, readyToClose, type Lease, type Need } from "./lease";
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

/** A lease call in flight, for the second its lease will admit in; requests of that second without a lease join it. */
interface LeaseCall {
  sec: number;
  done: boolean;
}

/** One isolate's leases for one scope chain (team, workload, key) and period. Plain data only. */
interface Pool {
  team: string;
  scopes: ScopeLimits[];
  period: BudgetPeriod;
  current?: Lease;
  /** Leases granted ahead of time, not admitting yet: a spare for this second, one for the next (at most one per second). */
  ahead: Lease[];
  /** Lease calls in flight (at most one in the foreground and one fetching ahead). */
  calls: LeaseCall[];
  want: number;
}

const pools = new Map<string, Pool>();

function poolFor(team: string, scopes: ScopeLimits[], period: BudgetPeriod): Pool {
  const key = `${team}|${period}|${scopes.map((s) => s.key).join(",")}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = { team, scopes, period, ahead: [], calls: [], want: nextWant(undefined) };
    pools.set(key, pool);
  }
  // Limits come from the current bundle; a lease's closing settle checks thresholds against them.
  pool.scopes = scopes;
  return pool;
}

/**
 * How long a request waits for another request's lease call before reserving on its own: a
 * backstop (the call normally answers in milliseconds).
 */
const JOIN_MAX_WAIT_MS = 1000;
/** How often a joined request looks whether the call is over. */
const JOIN_POLL_MS = 1;

/**
 * Waits until the call is over (or the backstop) by polling on timers of this request's own.
 * Workers run a promise's continuation in the context of the request that resolved it, so
 * awaiting the calling request's promise (or one it resolves) would make this request's later
 * I/O "on behalf of a different request", which workerd refuses. A timer of this request wakes
 * it in its own context; the call normally takes one or two polls.
 */
async function join(call: LeaseCall): Promise<void> {
  const until = Date.now() + JOIN_MAX_WAIT_MS;
  while (!call.done && Date.now() < until) await new Promise<void>((resolve) => setTimeout(resolve, JOIN_POLL_MS));
}

/** Registers a lease call for `sec`; the returned function ends it (joined requests see it at their next poll). */
function startCall(pool: Pool, sec: number): () => void {
  const call: LeaseCall = { sec, done: false };
  pool.calls.push(call);
  return () => {
    call.done = true;
    pool.calls = pool.calls.filter((c) => c !== call);
  };
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
  pool.ahead = pool.ahead.filter((l) => l !== lease);
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

/** The single-request form: used when a lease call this request joined left no room for it. */
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

/** Retires a lease once its second is over (and settles it if drained), from this request's waitUntil. */
function retireWhenOver(deps: GuardDeps, pool: Pool, lease: Lease, now: number): void {
  deps.ctx.waitUntil(new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, lease.expiresAt - now) + 5)).then(() => retire(deps, pool, lease)));
}

/**
 * Admits a request from memory, with no I/O: from the current lease, or from the lease fetched
 * ahead once its second has begun (it then becomes the current one). Starts fetching the next
 * lease in the background when the one admitting is about to run out.
 */
function admitFromPool(deps: GuardDeps, pool: Pool, req: RequestNeed, need: Need, now: number): Reservation | undefined {
  let lease = pool.current;
  if (!lease || !admitLocal(lease, need, now)) {
    const next = pool.ahead.find((l) => admitLocal(l, need, now));
    if (!next) return undefined;
    pool.ahead = pool.ahead.filter((l) => l !== next);
    // The lease it replaces admits nothing more; it settles when drained (now, if it is).
    if (lease) retire(deps, pool, lease);
    pool.current = lease = next;
  }
  // One lease per second ahead, and one call for it at a time.
  const ahead = prefetchSeconds(lease, now).find((sec) => !pool.ahead.some((l) => l.windowSec === sec) && !pool.calls.some((c) => c.sec === sec));
  if (ahead !== undefined) deps.ctx.waitUntil(prefetch(deps, pool, req, need, lease, ahead));
  return leased(deps, pool, lease, need, 0);
}

/**
 * Fetches the lease for `sec` ahead of time, in the background (waitUntil: no request awaits it
 * unless it has no lease in `sec`, see join). A refusal or a failure is only logged: the next
 * request without a lease asks again and hears it itself.
 */
async function prefetch(deps: GuardDeps, pool: Pool, req: RequestNeed, need: Need, sizedBy: Lease, sec: number): Promise<void> {
  const end = startCall(pool, sec);
  const leaseId = `lease:${req.requestId}:${crypto.randomUUID()}`;
  try {
    const want = nextWant(sizedBy, Date.now());
    const decision = await budgetStub(deps.env, pool.team).lease({ reservationId: leaseId, requestId: req.requestId, scopes: pool.scopes, period: pool.period, costNusd: need.costNusd, tokens: need.tokens, ttlMs: RESERVATION_TTL_MS, want, atSec: sec });
    if (decision.thresholds.length) deps.ctx.waitUntil(announceThresholds(deps.env, pool.team, decision.thresholds));
    if (!decision.ok) return;
    const now = Date.now();
    const lease = newLease(leaseId, decision.granted, decision.windowSec, need, decision.ratelimit, now, false);
    pool.want = want;
    pool.ahead.push(lease);
    retireWhenOver(deps, pool, lease, now);
  } catch (err) {
    console.error("budget lease fetch ahead failed", { error: err instanceof Error ? err.message : String(err) });
  } finally {
    end();
  }
}

/**
 * Reserves a request's worst case, or throws the 429: from this isolate's lease when it has
 * room (no I/O at all), otherwise by asking the TeamBudget DO for a new lease (src/guardrails/lease.ts).
 * A request arriving while this isolate already asks for a lease usable now waits for that one
 * call (single flight) rather than reserving on its own.
 * @example const r = await reserveBudget(deps, { requestId, team, workload, keyId, costNusd, tokens });
 */
export async function reserveBudget(deps: GuardDeps, req: RequestNeed): Promise<Reservation> {
  const pool = poolFor(req.team.id, guardrailScopes(req.team, req.workload, req.keyId), teamPeriod(req.team));
  const need: Need = { costNusd: req.costNusd, tokens: req.tokens };
  const t0 = Date.now();
  const local = admitFromPool(deps, pool, req, need, t0);
  if (local) return local;
  // Join this second's lease call if one is in flight (twice at most: a lease may be too small
  // for everyone who joined it); otherwise make it.
  for (let round = 0; round < 2; round++) {
    const call = pool.calls.find((c) => c.sec === Math.floor(Date.now() / 1000));
    if (!call) return acquire(deps, pool, req, need, t0);
    await join(call);
    const now = Date.now();
    const joined = admitFromPool(deps, pool, req, need, now);
    if (joined) return { ...joined, rttMs: now - t0 };
  }
  return reserveSingle(deps, pool, req, need);
}

/** Asks the DO for a lease usable now, this request being its first; others of this second join the call. */
async function acquire(deps: GuardDeps, pool: Pool, req: RequestNeed, need: Need, since: number): Promise<Reservation> {
  const previous = pool.current;
  // A drained previous lease is closed inside the new lease's call (one RPC, and its unused part
  // is headroom again before the new lease is sized); one still in flight closes when it drains.
  const closing = previous && retireLease(previous);
  pool.want = nextWant(previous, Date.now());
  const leaseId = `lease:${req.requestId}:${crypto.randomUUID()}`;
  const t0 = Date.now();
  const end = startCall(pool, Math.floor(t0 / 1000));
  let decision: LeaseDecision;
  try {
    decision = await budgetStub(deps.env, req.team.id).lease({ reservationId: leaseId, requestId: req.requestId, scopes: pool.scopes, period: pool.period, costNusd: need.costNusd, tokens: need.tokens, ttlMs: RESERVATION_TTL_MS, want: pool.want, close: closing });
  } catch (err) {
    end();
    // The previous lease's settle rode on the failed call: send it on its own.
    if (closing) sendSettle(deps, pool.team, { ...closing, scopes: pool.scopes, period: pool.period });
    throw unavailable(err);
  }
  const now = Date.now();
  if (decision.thresholds.length) deps.ctx.waitUntil(announceThresholds(deps.env, req.team.id, decision.thresholds));
  if (!decision.ok) {
    end();
    throw refusalError(decision);
  }
  const lease = newLease(leaseId, decision.granted, decision.windowSec, need, decision.ratelimit, now);
  pool.current = lease;
  // Joined requests find the lease in the pool when woken.
  end();
  // This request owns the lease's end: when its second is over, retire it (and settle if drained).
  retireWhenOver(deps, pool, lease, now);
  return leased(deps, pool, lease, need, now - since);
}
