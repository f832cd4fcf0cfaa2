/**
 * @module
 * Runs attempts over a route plan until one succeeds, under a total deadline:
 * - a 429/5xx/408/409 answer is retried on the same target after a jittered exponential backoff
 *   (or the upstream's `retry-after`, when it is within the bound), up to `max_retries`;
 * - a timeout or connection error moves straight to the next target (retrying a dead host
 *   doubles the wait; the circuit breaker decides when to try it again);
 * - a non-retryable answer (a 4xx the client caused) is returned at once.
 * Nothing here runs after a stream has started: the executor hands a stream to the client only
 * once its headers arrived, and from then on it is never retried, so no request is sent twice
 * after the client saw a byte.
 */
import type { AttemptFailure } from "../providers/execute";
import type { PlannedTarget } from "./plan";
import { DEFAULT_RETRY, type RetryPolicy } from "./rules";

export interface Tried {
  provider: string;
  model: string;
  failure: AttemptFailure;
}

export type FallbackResult<T> =
  | { ok: true; value: T; target: PlannedTarget; tried: Tried[] }
  | { ok: false; tried: Tried[]; final: AttemptFailure | undefined; deadlineExceeded?: boolean };

export type AttemptResult<T> = { ok: true; value: T } | { ok: false; failure: AttemptFailure };

export interface FallbackOptions {
  retry?: Required<RetryPolicy>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called after every attempt (health reporting). */
  onAttempt?: (target: PlannedTarget, ok: boolean, elapsedMs: number, failure?: AttemptFailure) => void;
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

/**
 * @example const r = await runWithFallback(plan.targets, (t, { timeoutMs }) => attemptChat(..., { timeoutMs }));
 */
export async function runWithFallback<T>(
  targets: PlannedTarget[],
  attempt: (target: PlannedTarget, limits: { timeoutMs: number }) => Promise<AttemptResult<T>>,
  opts: FallbackOptions = {},
): Promise<FallbackResult<T>> {
  const policy = opts.retry ?? DEFAULT_RETRY;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? realSleep;
  const random = opts.random ?? Math.random;
  const deadline = now() + policy.deadline_ms;
  const tried: Tried[] = [];
  let attempts = 0;
  for (const target of targets) {
    for (let retry = 0; ; retry++) {
      const remaining = deadline - now();
      if (remaining < MIN_ATTEMPT_MS || attempts >= policy.max_attempts) {
        return { ok: false, tried, final: tried.at(-1)?.failure, deadlineExceeded: remaining < MIN_ATTEMPT_MS };
      }
      attempts++;
      const started = now();
      const timeoutMs = Math.min(target.target.timeout_ms ?? DEFAULT_ATTEMPT_TIMEOUT_MS, remaining);
      const result = await attempt(target, { timeoutMs });
      opts.onAttempt?.(target, result.ok, now() - started, result.ok ? undefined : result.failure);
      if (result.ok) return { ok: true, value: result.value, target, tried };
      const failure = result.failure;
      tried.push({ provider: target.provider.id, model: target.target.model, failure });
      if (!failure.retryable) return { ok: false, tried, final: failure };
      if (!sameTargetRetryable(failure) || retry >= policy.max_retries) break;
      const delay = backoffDelay(retry, policy, random, failure.retryAfterMs);
      if (delay === undefined || now() + delay + MIN_ATTEMPT_MS > deadline) break;
      if (delay > 0) await sleep(delay);
    }
  }
  return { ok: false, tried, final: tried.at(-1)?.failure };
}
