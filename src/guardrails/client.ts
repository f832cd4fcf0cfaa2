/**
 * @module
 * The isolate side of budgets and limits: one `reserve` RPC to the team's TeamBudget Durable
 * Object before the upstream call, one `settle` after the response (in waitUntil, off the
 * critical path). Refusals become the OpenAI 429 envelope with `retry-after` and OpenAI's
 * x-ratelimit-* headers; crossed budget thresholds become alerts.
 *
 * Exactness first: no budget is leased to isolates. The DO round trip is measured per request
 * (usage detail `guard_ms`) so the cost of that choice stays visible.
 */
import type { TeamPolicy, WorkloadPolicy } from "../config/bundle";
import { nusdToUsd } from "../config/money";
import type { Env } from "../env";
import { GatewayError } from "../errors/openai";
import { raiseAlert } from "../operations/alerts";
import type { RateLimitInfo, ReserveDecision, ScopeLimits, ThresholdEvent } from "./ledger";
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

/**
 * Reserves a request's worst case against the team's ledger, or throws the 429.
 * @example const r = await reserveBudget(deps, { requestId, team, workload, keyId, costNusd, tokens });
 */
export async function reserveBudget(
  deps: GuardDeps,
  req: { requestId: string; team: TeamPolicy; workload: WorkloadPolicy; keyId: string; costNusd: number; tokens: number },
): Promise<Reservation> {
  const scopes: ScopeLimits[] = guardrailScopes(req.team, req.workload, req.keyId);
  const period: BudgetPeriod = teamPeriod(req.team);
  const reservationId = `${req.requestId}:${crypto.randomUUID()}`;
  const stub = budgetStub(deps.env, req.team.id);
  const t0 = Date.now();
  let decision: ReserveDecision;
  try {
    decision = await stub.reserve({ reservationId, requestId: req.requestId, scopes, period, costNusd: req.costNusd, tokens: req.tokens, ttlMs: RESERVATION_TTL_MS });
  } catch (err) {
    // Fail closed: without the ledger we cannot promise the budget holds.
    console.error("budget reserve failed", { error: err instanceof Error ? err.message : String(err) });
    throw new GatewayError(503, "service_unavailable", "budget_unavailable", "The budget service did not answer; nothing was sent upstream. Retry shortly.", null, { "retry-after": "1" });
  }
  const rttMs = Date.now() - t0;
  if (decision.thresholds.length) deps.ctx.waitUntil(announceThresholds(deps.env, req.team.id, decision.thresholds));
  if (!decision.ok) throw refusalError(decision);
  let done = false;
  const finish = (costNusd: number, tokens: number) => {
    if (done) return;
    done = true;
    deps.ctx.waitUntil(
      stub
        .settle({ reservationId, scopes, period, costNusd, tokens })
        .then((events) => (events.length ? announceThresholds(deps.env, req.team.id, events) : undefined))
        .catch((err: unknown) => console.error("budget settle failed; the alarm will release the reservation", { error: err instanceof Error ? err.message : String(err) })),
    );
  };
  return { headers: rateLimitHeaders(decision.ratelimit), rttMs, settle: finish, release: () => finish(0, 0) };
}
