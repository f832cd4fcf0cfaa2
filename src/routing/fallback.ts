/**
 * @module
 * Runs attempts over a route plan until one succeeds: the next target is tried on a retryable
 * failure (429, 5xx, timeout, connection error); a non-retryable answer (a 4xx the client caused)
 * is returned at once. Nothing here runs after a stream has started: the executor hands a stream
 * to the client only once its headers arrived, and from then on it is never retried.
 */
import type { AttemptFailure } from "../providers/execute";
import type { PlannedTarget } from "./plan";

export interface Tried {
  provider: string;
  model: string;
  failure: AttemptFailure;
}

export type FallbackResult<T> =
  | { ok: true; value: T; target: PlannedTarget; tried: Tried[] }
  | { ok: false; tried: Tried[]; final: AttemptFailure | undefined };

/**
 * @example const r = await runWithFallback(plan.targets, (t) => attemptChat(...));
 */
export async function runWithFallback<T>(
  targets: PlannedTarget[],
  attempt: (target: PlannedTarget) => Promise<{ ok: true; value: T } | { ok: false; failure: AttemptFailure }>,
): Promise<FallbackResult<T>> {
  const tried: Tried[] = [];
  for (const target of targets) {
    const result = await attempt(target);
    if (result.ok) return { ok: true, value: result.value, target, tried };
    tried.push({ provider: target.provider.id, model: target.target.model, failure: result.failure });
    if (!result.failure.retryable) return { ok: false, tried, final: result.failure };
  }
  return { ok: false, tried, final: tried.at(-1)?.failure };
}
