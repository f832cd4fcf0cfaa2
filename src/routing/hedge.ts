/**
 * @module
 * One hedged attempt: run the primary target; if it has not answered when it counts as slow (its
 * p95 TTFB), start the secondary in parallel and keep the first success, aborting the other.
 * Only the part of an attempt before its first byte can be hedged: the executor returns a
 * stream once its first chunk arrived, so a race is decided before the client saw anything, and
 * a stream that lost is cancelled unread. Both attempts may cost money: the loser is reported so
 * the caller can charge what it may have used (see README, "Hedging").
 */
import { costNusd } from "../config/money";
import type { Price } from "../config/schemas";
import type { AttemptFailure } from "../providers/execute";
import type { PlannedTarget } from "./plan";

export type AttemptResult<T> = { ok: true; value: T } | { ok: false; failure: AttemptFailure };

/** Runs one attempt under an abort signal of its own (the race aborts the loser through it). */
export type SignalledAttempt<T> = (target: PlannedTarget, signal: AbortSignal) => Promise<AttemptResult<T>>;

export type RaceOutcome<T> =
  /** The primary settled before it counted as slow: no hedge was started. */
  | { hedged: false; result: AttemptResult<T> }
  /** A hedge ran: the first success, what failed before it, and what was aborted. */
  | { hedged: true; winner?: { target: PlannedTarget; value: T }; failures: TargetFailure[]; loser?: PlannedTarget };

interface TargetFailure {
  target: PlannedTarget;
  failure: AttemptFailure;
}

export interface RaceOptions<T> {
  /** How long the primary may take before the secondary starts. */
  hedgeAfterMs: number;
  /** Gives back a success that arrived after the race was decided (a stream to cancel). */
  discard?: (value: T) => void;
}

/** Marks an abort the race made, so the attempt's outcome is not mistaken for the host's health. */
export const HEDGE_LOST = "hedge lost";

/**
 * @example const o = await hedgedAttempt(a, b, (t, signal) => attemptChat(..., { signal }), { hedgeAfterMs: 800 });
 */
export async function hedgedAttempt<T>(
  primary: PlannedTarget,
  secondary: PlannedTarget,
  attempt: SignalledAttempt<T>,
  opts: RaceOptions<T>,
): Promise<RaceOutcome<T>> {
  const aborts = [new AbortController(), new AbortController()];
  const targets = [primary, secondary];
  const run = (i: number) => attempt(targets[i], aborts[i].signal).then((result) => ({ i, result }));
  const first = run(0);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, opts.hedgeAfterMs, undefined)));
  const early = await Promise.race([first, slow]);
  // No timer outlives a race the primary settled on its own.
  clearTimeout(timer);
  if (early) return { hedged: false, result: early.result };
  const pending = new Map([[0, first], [1, run(1)]]);
  const failures: TargetFailure[] = [];
  while (pending.size > 0) {
    const { i, result } = await Promise.race(pending.values());
    pending.delete(i);
    if (!result.ok) {
      failures.push({ target: targets[i], failure: result.failure });
      continue;
    }
    let loser: PlannedTarget | undefined;
    for (const [j, late] of pending) {
      loser = targets[j];
      aborts[j].abort(new Error(HEDGE_LOST));
      void late.then((l) => l.result.ok && opts.discard?.(l.result.value));
    }
    return { hedged: true, winner: { target: targets[i], value: result.value }, failures, loser };
  }
  return { hedged: true, failures };
}

/**
 * What an aborted hedge attempt is charged: its prompt at its target's input price. Providers bill
 * the input of a call they started; no output was delivered before the abort.
 * @example hedgeLoserCharge(100, { input_per_mtok: 1, output_per_mtok: 2 }) // { tokens: 100, costNusd: 100_000 }
 */
export function hedgeLoserCharge(promptTokens: number, price: Price): { tokens: number; costNusd: number } {
  return { tokens: promptTokens, costNusd: costNusd(price, promptTokens, 0) };
}

/**
 * A signal that aborts when either does (the client went away, or the attempt lost a hedge).
 * @example eitherSignal(request.signal, limits.signal)
 */
export function eitherSignal(a: AbortSignal, b?: AbortSignal): AbortSignal {
  if (!b) return a;
  const c = new AbortController();
  if (a.aborted || b.aborted) {
    c.abort(a.aborted ? a.reason : b.reason);
    return c.signal;
  }
  const onA = () => c.abort(a.reason);
  const onB = () => c.abort(b.reason);
  a.addEventListener("abort", onA, { once: true });
  b.addEventListener("abort", onB, { once: true });
  return c.signal;
}
