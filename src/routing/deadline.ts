/**
 * @module
 * Attempt deadlines that follow what each target normally does. An attempt has two clocks:
 * - the TTFB deadline bounds the wait for the response headers (and, for a stream, its first
 *   chunk). A dead host answers nothing at all, so this is the clock that cuts it, in seconds
 *   instead of the whole attempt timeout;
 * - the attempt timeout (`timeout_ms`, shrunk to the request deadline) bounds the whole answer.
 * The TTFB deadline is the target's `ttfb_timeout_ms` when the catalog sets one, otherwise
 * `factor × p95` of the TTFBs this isolate observed, clamped to [floor, ceiling]; with too few
 * samples the shared ProviderHealth EWMA stands in, and with nothing known a cold default.
 * Pure functions over plain data: the per-isolate samples live in ./latency.ts.
 */

export interface DeadlineConfig {
  /** Deadline when nothing is known about the target (a new isolate, a new target). */
  coldMs: number;
  /** Never below this: network jitter alone can cost a few hundred ms. */
  floorMs: number;
  /** Never above this (the attempt timeout bounds it too). */
  ceilingMs: number;
  /** Multiple of the p95 TTFB that counts as "not answering". */
  factor: number;
  /** Samples needed before the isolate's own p95 is trusted. */
  minSamples: number;
  /** Tail-to-mean ratio assumed when only an EWMA (a mean) is known. */
  meanToTail: number;
  /** The slow mark is never below this (about a network round trip): a hedge at 2 ms is noise. */
  slowFloorMs: number;
}

export const TTFB_DEADLINE: DeadlineConfig = {
  coldMs: 2_000,
  floorMs: 1_000,
  ceilingMs: 30_000,
  factor: 3,
  minSamples: 5,
  meanToTail: 2,
  slowFloorMs: 100,
};

/** Where a deadline came from: shown in the route label and usage, so a cut can be explained. */
export type DeadlineSource = "configured" | "observed" | "shared" | "cold";

export interface DeadlineInputs {
  /** `ttfb_timeout_ms` on the catalog target: wins when set. */
  configuredMs?: number;
  /** This isolate's p95 TTFB for the target, and how many samples it rests on. */
  p95Ms?: number | null;
  samples: number;
  /** The shared view's EWMA of the same quantity (all isolates of the region), when known. */
  sharedMeanMs?: number | null;
  /** Time the whole attempt may take (timeout_ms, already shrunk to the request deadline). */
  attemptTimeoutMs: number;
}

export interface TtfbDeadline {
  ms: number;
  source: DeadlineSource;
  /** When a wait counts as slow (p95 passed): hedging starts, new requests skip the target. */
  slowAfterMs: number;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * The TTFB deadline for one attempt.
 * @example ttfbDeadline({ samples: 0, attemptTimeoutMs: 30_000 }) // { ms: 2000, source: "cold", slowAfterMs: 1000 }
 * @example ttfbDeadline({ p95Ms: 800, samples: 20, attemptTimeoutMs: 30_000 }).ms === 2400
 */
export function ttfbDeadline(i: DeadlineInputs, cfg: DeadlineConfig = TTFB_DEADLINE): TtfbDeadline {
  let ms: number;
  let source: DeadlineSource;
  let typical: number | undefined;
  if (i.configuredMs !== undefined) {
    ms = i.configuredMs;
    source = "configured";
  } else if (i.p95Ms != null && i.samples >= cfg.minSamples) {
    typical = i.p95Ms;
    ms = clamp(cfg.factor * i.p95Ms, cfg.floorMs, cfg.ceilingMs);
    source = "observed";
  } else if (i.sharedMeanMs != null && i.sharedMeanMs > 0) {
    typical = cfg.meanToTail * i.sharedMeanMs;
    ms = clamp(cfg.factor * typical, cfg.floorMs, cfg.ceilingMs);
    source = "shared";
  } else {
    ms = cfg.coldMs;
    source = "cold";
  }
  ms = Math.max(1, Math.min(ms, i.attemptTimeoutMs));
  // Slow = past the usual p95; with no history, half the deadline.
  const slowAfterMs = Math.min(ms, Math.max(cfg.slowFloorMs, Math.round(typical ?? ms / 2)));
  return { ms: Math.round(ms), source, slowAfterMs };
}

/**
 * The q-quantile (0..1) of a sample set by nearest rank; null for no samples.
 * @example percentile([1, 2, 3, 4, 100], 0.95) === 100
 */
export function percentile(values: ArrayLike<number>, q: number): number | null {
  if (values.length === 0) return null;
  const sorted = Array.from(values).sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/**
 * Whether a wait that began at `startedAt` is slow by `now`: a request planned meanwhile puts
 * this target last, so it stops queueing behind a host that may be dead.
 * @example isSlow(0, 1500, 1000) === true
 */
export function isSlow(startedAt: number | undefined, now: number, slowAfterMs: number): boolean {
  return startedAt !== undefined && now - startedAt >= slowAfterMs;
}
