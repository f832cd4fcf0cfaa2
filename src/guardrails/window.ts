/**
 * @module
 * A sliding-window counter for rpm/tpm limits, as plain data and pure functions (the TeamBudget
 * Durable Object owns one per scope and metric, so it is exact across isolates).
 *
 * The window is a ring of one-second buckets covering the last {@link WINDOW_SLOTS} seconds. An
 * admission checks the sum over 61 buckets (the current second plus the 60 before it), which is a
 * superset of any real 60-second interval that ends now, so no real 60 s interval ever admits more
 * than the limit. The price of that guarantee is that a refusal may come up to one second early.
 * Memory is O(61) per scope whatever the limit, unlike a log of timestamps.
 */

export const WINDOW_SLOTS = 61;

export interface RateWindow {
  /** Epoch second each slot currently counts, or -1 when empty. */
  secs: number[];
  counts: number[];
}

export function emptyWindow(): RateWindow {
  return { secs: new Array<number>(WINDOW_SLOTS).fill(-1), counts: new Array<number>(WINDOW_SLOTS).fill(0) };
}

function live(w: RateWindow, i: number, nowSec: number): boolean {
  return w.secs[i] > nowSec - WINDOW_SLOTS && w.secs[i] <= nowSec;
}

/**
 * Units counted in the window that ends at `nowSec`.
 * @example windowUsed(windowAdd(emptyWindow(), 100, 3), 100) === 3
 */
export function windowUsed(w: RateWindow, nowSec: number): number {
  let sum = 0;
  for (let i = 0; i < WINDOW_SLOTS; i++) if (live(w, i, nowSec)) sum += w.counts[i];
  return sum;
}

/** Adds `n` units at `nowSec` (mutates and returns `w`; the DO owns the only copy). */
export function windowAdd(w: RateWindow, nowSec: number, n: number): RateWindow {
  const i = nowSec % WINDOW_SLOTS;
  if (w.secs[i] !== nowSec) {
    w.secs[i] = nowSec;
    w.counts[i] = 0;
  }
  w.counts[i] += n;
  return w;
}

/**
 * Corrects the units recorded at `atSec` by `delta` (a reservation's estimate replaced by the
 * actual count). A bucket that already left the window is not touched: it no longer matters.
 */
export function windowAdjust(w: RateWindow, atSec: number, delta: number): RateWindow {
  const i = atSec % WINDOW_SLOTS;
  if (w.secs[i] === atSec) w.counts[i] = Math.max(0, w.counts[i] + delta);
  return w;
}

/**
 * Seconds until `need` more units fit under `limit` (0 when they fit now). When `need` exceeds
 * the limit itself it never fits; the answer is then the full window, so a client backs off.
 * @example windowRetryAfterS(windowAdd(emptyWindow(), 100, 10), 110, 10, 1) === 51
 */
export function windowRetryAfterS(w: RateWindow, nowSec: number, limit: number, need: number): number {
  if (need > limit) return WINDOW_SLOTS;
  let used = windowUsed(w, nowSec);
  if (used + need <= limit) return 0;
  // Drop buckets oldest first until enough room frees up.
  const buckets: Array<[number, number]> = [];
  for (let i = 0; i < WINDOW_SLOTS; i++) if (live(w, i, nowSec) && w.counts[i] > 0) buckets.push([w.secs[i], w.counts[i]]);
  buckets.sort((a, b) => a[0] - b[0]);
  for (const [sec, count] of buckets) {
    used -= count;
    // A bucket at `sec` stops counting once nowSec >= sec + WINDOW_SLOTS.
    if (used + need <= limit) return sec + WINDOW_SLOTS - nowSec;
  }
  return WINDOW_SLOTS;
}
