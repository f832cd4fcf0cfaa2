/**
 * @module
 * Runs attempts over a route plan until one succeeds, under a total deadline:
 * - a 429/5xx/408/409 answer is retried on the same target after a jittered exponential backoff
 *   (or the upstream's `retry-after`, when it is within the bound), up to `max_retries`;
 * - a timeout or connection error moves straight to the next target (retrying a dead host
 *   doubles the wait; the circuit breaker decides when to try it again);
 * - a non-retryable answer (a 4xx the client caused) is returned at once.
 * - with hedging on, a target that has not answered by its p95 TTFB gets the next target started
 *   beside it (./hedge.ts); the first answer wins.
 * Nothing here runs after a stream has started: the executor hands a stream to the client only
 * once its first chunk arrived, and from then on it is never retried, so no request is sent twice
 * after the client saw a byte.
 */
import type { AttemptFailure } from "../providers/execute";
import { hedgedAttempt, type AttemptResult } from "./hedge";
import type { PlannedTarget } from "./plan";
import { DEFAULT_RETRY, type RetryPolicy } from "./rules";

export type { AttemptResult } from "./hedge";

export interface Tried {
  provider: string;
  model: string;
  failure: AttemptFailure;
}

export type FallbackResult<T> =
  /** `hedgeLoser`: a target that ran beside the winner and was aborted; it may have cost money. */
  | { ok: true; value: T; target: PlannedTarget; tried: Tried[]; hedgeLoser?: PlannedTarget }
  | { ok: false; tried: Tried[]; final: AttemptFailure | undefined; deadlineExceeded?: boolean };

/** What one attempt gets: its timeout, and a signal that aborts it (a hedge it lost). */
export interface AttemptLimits {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface FallbackOptions<T = unknown> {
  retry?: Required<RetryPolicy>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called after every attempt (health reporting); not for a hedge loser this side aborted. */
  onAttempt?: (target: PlannedTarget, ok: boolean, elapsedMs: number, failure?: AttemptFailure) => void;
  /** When set, hedging is on: the primary's "slow" mark (ms, its p95 TTFB) for this attempt timeout. */
  hedgeAfterMs?: (target: PlannedTarget, timeoutMs: number) => number;
  /** Gives back a success that lost a hedge race after it was decided (cancels its stream). */
  discard?: (value: T) => void;
}

/** Time per attempt never below this: a sliver of deadline is not worth an upstream call. */
const MIN_ATTEMPT_MS = 50;
const DEFAULT_ATTEMPT_TIMEOUT_MS = 30_000;

/**
 * Delay before retry number `retry` (0-based) of the same target, or undefined when the
 * upstream asked for a longer wait than the policy allows (then the next target is better).
 * Full jitter (AWS architecture blog): uniform in [0, min(max, base·2^retry)], so synchronized
 * clients spread out instead of retrying in waves.
 * @example backoffDelay(0, DEFAULT_RETRY, () => 0.5) === 25
 */
export function backoffDelay(retry: number, policy: Required<RetryPolicy>, random: () => number, retryAfterMs?: number): number | undefined {
  if (retryAfterMs !== undefined) return retryAfterMs <= policy.retry_after_max_ms ? retryAfterMs : undefined;
  const cap = Math.min(policy.backoff_max_ms, policy.backoff_base_ms * 2 ** retry);
  return Math.round(random() * cap);
}

/** Whether a failure is worth another attempt on the same target. */
function sameTargetRetryable(f: AttemptFailure): boolean {
  return f.retryable && f.kind === "status";
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** How a primary that lost its hedge race is reported to health: slow, nothing answered. */
function lostRace(target: PlannedTarget): AttemptFailure {
  const message = `${target.provider.id} was slower than its p95 time to first byte and lost a hedge race`;
  return { kind: "ttfb_timeout", retryable: true, error: { message, type: "timeout_error", code: "hedge_lost" } };
}

/**
 * @example const r = await runWithFallback(plan.targets, (t, { timeoutMs }) => attemptChat(..., { timeoutMs }));
 */
export async function runWithFallback<T>(
  targets: PlannedTarget[],
  attempt: (target: PlannedTarget, limits: AttemptLimits) => Promise<AttemptResult<T>>,
  opts: FallbackOptions<T> = {},
): Promise<FallbackResult<T>> {
  const policy = opts.retry ?? DEFAULT_RETRY;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? realSleep;
  const random = opts.random ?? Math.random;
  const deadline = now() + policy.deadline_ms;
  const tried: Tried[] = [];
  const fail = (target: PlannedTarget, failure: AttemptFailure) =>
    tried.push({ provider: target.provider.id, model: target.target.model, failure });
  const timeoutFor = (target: PlannedTarget) =>
    Math.min(target.target.timeout_ms ?? DEFAULT_ATTEMPT_TIMEOUT_MS, deadline - now());
  /** One attempt, reported to onAttempt unless this side aborted it (a lost hedge says nothing about health). */
  const run = async (target: PlannedTarget, signal?: AbortSignal): Promise<AttemptResult<T>> => {
    const started = now();
    const result = await attempt(target, { timeoutMs: timeoutFor(target), ...(signal ? { signal } : {}) });
    if (!signal?.aborted) opts.onAttempt?.(target, result.ok, now() - started, result.ok ? undefined : result.failure);
    return result;
  };
  let attempts = 0;
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i];
    for (let retry = 0; ; retry++) {
      const remaining = deadline - now();
      if (remaining < MIN_ATTEMPT_MS || attempts >= policy.max_attempts) {
        return { ok: false, tried, final: tried.at(-1)?.failure, deadlineExceeded: remaining < MIN_ATTEMPT_MS };
      }
      attempts++;
      const next = targets[i + 1];
      const hedge = opts.hedgeAfterMs && retry === 0 && next && attempts < policy.max_attempts;
      let result: AttemptResult<T>;
      if (hedge) {
        const raceStarted = now();
        const race = await hedgedAttempt(target, next, (t, signal) => run(t, signal), {
          hedgeAfterMs: opts.hedgeAfterMs!(target, timeoutFor(target)),
          discard: opts.discard,
        });
        if (race.hedged) {
          // Both targets of the race are used up: no same-target retry after a hedge.
          attempts++;
          i++;
          for (const f of race.failures) fail(f.target, f.failure);
          // A primary beaten by its hedge was slower than its p95 with nothing to show: the breaker
          // hears it as a failure, so a hanging host stops being tried first (the abort itself was ours).
          if (race.loser === target) opts.onAttempt?.(target, false, now() - raceStarted, lostRace(target));
          if (race.winner) {
            const { value, target: served } = race.winner;
            return { ok: true, value, target: served, tried, ...(race.loser ? { hedgeLoser: race.loser } : {}) };
          }
          const last = race.failures.at(-1)!.failure;
          if (race.failures.some((f) => !f.failure.retryable)) return { ok: false, tried, final: last };
          break;
        }
        result = race.result;
      } else {
        result = await run(target);
      }
      if (result.ok) return { ok: true, value: result.value, target, tried };
      const failure = result.failure;
      fail(target, failure);
      if (!failure.retryable) return { ok: false, tried, final: failure };
      if (!sameTargetRetryable(failure) || retry >= policy.max_retries) break;
      const delay = backoffDelay(retry, policy, random, failure.retryAfterMs);
      if (delay === undefined || now() + delay + MIN_ATTEMPT_MS > deadline) break;
      if (delay > 0) await sleep(delay);
    }
  }
  return { ok: false, tried, final: tried.at(-1)?.failure };
}
