/**
 * @module
 * A sliding-window counter for rpm/tpm limits, as plain data and pure functions (the TeamBudget
 * Durable Object owns one per scope and metric, so it is exact across isolates).
 *
 * The window is a ring of one-second buckets covering the last {@link WINDOW_SLOTS} seconds, plus
 * the next second. An admission checks the sum over 61 buckets (the current second plus the 60
 * before it) and the next second's bucket, which is a superset of any real 60-second interval that
 * ends now, so no real 60 s interval ever admits more than the limit. The price of that guarantee
 * is that a refusal may come up to one second early. Memory is O(62) per scope whatever the limit,
 * unlike a log of timestamps.
 *
 * The next second's bucket holds leases granted ahead of time (src/guardrails/lease.ts): their
 * requests will be made in that second and are counted in its bucket, so that bucket must not
 * share a ring slot with the oldest live second ({@link RING_SLOTS} = 62), and checks made now
 * include it (a request admitted now must leave room for those already promised next second).
 */

/** Seconds an admission looks back over (the current one included). */
export const WINDOW_SLOTS = 61;
/** Ring size: the look-back seconds plus the next second (ahead-of-time grants). */
export const RING_SLOTS = WINDOW_SLOTS + 1;

export interface RateWindow {
  /** Epoch second each slot currently counts, or -1 when empty. */
  secs: number[];
  counts: number[];
}

export function emptyWindow(): RateWindow {
  return { secs: new Array<number>(RING_SLOTS).fill(-1), counts: new Array<number>(RING_SLOTS).fill(0) };
}

/** A bucket that counts at `nowSec`: one of the last 61 seconds, or the next one (granted ahead). */
function live(w: RateWindow, i: number, nowSec: number): boolean {
  return w.secs[i] > nowSec - WINDOW_SLOTS && w.secs[i] <= nowSec + 1;
}

/**
 * Re-slots a window persisted with another ring size (61 slots before ahead-of-time grants) so
 * that `sec % RING_SLOTS` finds its bucket again; counts are kept by their second.
 */
function ring(w: RateWindow): RateWindow {
  if (w.secs.length === RING_SLOTS) return w;
  const old = { secs: w.secs, counts: w.counts };
  w.secs = new Array<number>(RING_SLOTS).fill(-1);
  w.counts = new Array<number>(RING_SLOTS).fill(0);
  for (let i = 0; i < old.secs.length; i++) {
    const sec = old.secs[i];
    if (sec < 0) continue;
    const j = sec % RING_SLOTS;
    // Two old seconds in one new slot: keep the later (the earlier is 62 s old and no longer counts).
    if (w.secs[j] < sec) {
      w.secs[j] = sec;
      w.counts[j] = old.counts[i];
    }
  }
  return w;
}

/**
 * Units counted in the window that ends at `nowSec`.
 * @example windowUsed(windowAdd(emptyWindow(), 100, 3), 100) === 3
 */
export function windowUsed(w: RateWindow, nowSec: number): number {
  let sum = 0;
  for (let i = 0; i < w.secs.length; i++) if (live(w, i, nowSec)) sum += w.counts[i];
  return sum;
}

/** Adds `n` units at `nowSec` (mutates and returns `w`; the DO owns the only copy). */
export function windowAdd(w: RateWindow, nowSec: number, n: number): RateWindow {
  ring(w);
  const i = nowSec % RING_SLOTS;
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
  ring(w);
  const i = atSec % RING_SLOTS;
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
  for (let i = 0; i < w.secs.length; i++) if (live(w, i, nowSec) && w.counts[i] > 0) buckets.push([w.secs[i], w.counts[i]]);
  buckets.sort((a, b) => a[0] - b[0]);
  for (const [sec, count] of buckets) {
    used -= count;
    // A bucket at `sec` stops counting once nowSec >= sec + WINDOW_SLOTS.
    if (used + need <= limit) return sec + WINDOW_SLOTS - nowSec;
  }
  return WINDOW_SLOTS;
}
