/**
 * @module
 * The circuit breaker as a pure state machine over plain data, shared by the per-isolate breaker
 * (reacts at once: a few consecutive failures open it) and the ProviderHealth Durable Object
 * (the shared, slower view: error rate and latency as EWMAs over all isolates of a region).
 *
 * closed ──(N consecutive failures, or error-rate EWMA ≥ threshold over enough samples)──► open
 * open ──(cooldown elapsed)──► half_open ──(K successes)──► closed
 *                              half_open ──(any failure)──► open (cooldown restarts)
 */

export type CircuitState = "closed" | "open" | "half_open";

export interface HealthStats {
  /** Stored state; `open` turns into `half_open` lazily once `openUntil` has passed. */
  state: CircuitState;
  /** EWMA of failures (0 healthy … 1 every attempt fails). */
  errorRate: number;
  /** EWMA of the attempt duration of successes, ms; null until one was seen. */
  latencyMs: number | null;
  /** EWMA of time to first byte of successes, ms. */
  ttfbMs: number | null;
  samples: number;
  consecutiveFailures: number;
  halfOpenSuccesses: number;
  /** Epoch ms when an open circuit may be probed again. */
  openUntil: number;
  updatedAt: number;
}

export interface BreakerConfig {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** Error-rate EWMA that opens the circuit once `minSamples` were seen. */
  errorRateThreshold: number;
  minSamples: number;
  cooldownMs: number;
  /** Successes in half-open that close the circuit again. */
  halfOpenSuccesses: number;
  /** EWMA smoothing factor (weight of the newest sample). */
  alpha: number;
}

export interface Outcome {
  ok: boolean;
  /** Attempt duration (ms). */
  latencyMs: number;
  ttfbMs?: number;
  at: number;
}

/** Per-isolate breaker: reacts within a couple of requests so a dead provider stops costing time. */
export const LOCAL_BREAKER: BreakerConfig = { failureThreshold: 2, errorRateThreshold: 0.9, minSamples: 5, cooldownMs: 5_000, halfOpenSuccesses: 1, alpha: 0.3 };
/** Shared (Durable Object) breaker: slower to open, based on every isolate's reports. */
export const SHARED_BREAKER: BreakerConfig = { failureThreshold: 5, errorRateThreshold: 0.5, minSamples: 10, cooldownMs: 15_000, halfOpenSuccesses: 2, alpha: 0.1 };

/** @example freshStats(0).state === "closed" */
export function freshStats(now: number): HealthStats {
  return { state: "closed", errorRate: 0, latencyMs: null, ttfbMs: null, samples: 0, consecutiveFailures: 0, halfOpenSuccesses: 0, openUntil: 0, updatedAt: now };
}

/**
 * The state as of `now` (an open circuit whose cooldown elapsed is half-open).
 * @example circuitAt({ ...freshStats(0), state: "open", openUntil: 10 }, 11) === "half_open"
 */
export function circuitAt(s: Pick<HealthStats, "state" | "openUntil">, now: number): CircuitState {
  return s.state === "open" && now >= s.openUntil ? "half_open" : s.state;
}

const ewma = (prev: number | null, x: number, alpha: number): number => (prev === null ? x : prev + alpha * (x - prev));

/**
 * Folds one attempt outcome into the stats. Pure: returns a new object.
 * @example recordOutcome(freshStats(0), { ok: false, latencyMs: 5, at: 1 }, LOCAL_BREAKER).consecutiveFailures === 1
 */
export function recordOutcome(prev: HealthStats, o: Outcome, cfg: BreakerConfig): HealthStats {
  const state = circuitAt(prev, o.at);
  const s: HealthStats = {
    ...prev,
    state,
    samples: prev.samples + 1,
    errorRate: ewma(prev.samples === 0 ? null : prev.errorRate, o.ok ? 0 : 1, cfg.alpha),
    updatedAt: o.at,
  };
  if (o.ok) {
    s.latencyMs = ewma(prev.latencyMs, o.latencyMs, cfg.alpha);
    if (o.ttfbMs !== undefined) s.ttfbMs = ewma(prev.ttfbMs, o.ttfbMs, cfg.alpha);
    s.consecutiveFailures = 0;
    if (state === "half_open") {
      s.halfOpenSuccesses = prev.halfOpenSuccesses + 1;
      if (s.halfOpenSuccesses >= cfg.halfOpenSuccesses) {
        // Recovered: forget the bad history so one later blip does not re-open it at once.
        return { ...s, state: "closed", halfOpenSuccesses: 0, errorRate: 0, samples: 1 };
      }
    }
    return s;
  }
  s.consecutiveFailures = prev.consecutiveFailures + 1;
  // A late report about an attempt that started before the circuit opened changes nothing.
  if (state === "open") return s;
  const tripped =
    state === "half_open" ||
    s.consecutiveFailures >= cfg.failureThreshold ||
    (s.samples >= cfg.minSamples && s.errorRate >= cfg.errorRateThreshold);
  return tripped ? { ...s, state: "open", openUntil: o.at + cfg.cooldownMs, halfOpenSuccesses: 0 } : s;
}

/** What routing needs to know about one provider (plain data, cheap to copy). */
export interface HealthView {
  state: CircuitState;
  errorRate: number;
  latencyMs: number | null;
  ttfbMs: number | null;
}

const RANK: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * Combines the local and the shared view: the worse circuit wins (either may have seen the
 * failures first); signals come from the shared view when it has samples, it sees more traffic.
 * @example combineViews(localStats, sharedSnapshot, Date.now()).state
 */
export function combineViews(local: HealthStats | undefined, shared: HealthStats | undefined, now: number): HealthView {
  const l = local ? circuitAt(local, now) : "closed";
  const r = shared ? circuitAt(shared, now) : "closed";
  const src = shared && shared.samples > 0 ? shared : local;
  return {
    state: RANK[l] >= RANK[r] ? l : r,
    errorRate: src?.errorRate ?? 0,
    latencyMs: src?.latencyMs ?? null,
    ttfbMs: src?.ttfbMs ?? null,
  };
}
