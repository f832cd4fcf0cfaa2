/**
 * @module
 * Per-isolate memory of how fast each target answers, and of the attempts waiting on it now:
 * - a small ring of recent TTFB samples per target and kind of call (a JSON answer's first byte
 *   is the whole answer, a stream's is its first chunk, so they are kept apart), from which
 *   ./deadline.ts derives the TTFB deadline;
 * - the attempts still waiting for a first byte, per provider, oldest first. When the oldest has
 *   waited past the provider's usual p95 and nothing answered since it started, requests planned
 *   meanwhile try that provider last: one request finds out the host hangs, the others do not
 *   queue behind it ("in-flight probe"). The "nothing answered since" part matters under load:
 *   with a hundred attempts in flight the oldest is often past p95 while the host is fine.
 * Both are bounded maps; nothing here does I/O.
 */
import { isSlow, percentile, ttfbDeadline, type TtfbDeadline } from "./deadline";

/** The kind of call: JSON and stream first bytes mean different things. */
export type CallKind = "json" | "stream" | "embeddings";

const RING = 32;
const MAX_TARGETS = 2_048;

interface Ring {
  values: number[];
  next: number;
  p95: number | null;
}

const rings = new Map<string, Ring>();
/** provider key → (attempt id → started at); insertion order makes the first entry the oldest. */
const waiting = new Map<string, Map<number, number>>();
/** provider key → the slow-after of its most recent attempt (how long counts as "past p95"). */
const slowAfter = new Map<string, number>();
/** provider key → when it last answered an attempt (epoch ms). */
const answeredAt = new Map<string, number>();
let nextId = 0;

const targetKey = (provider: string, model: string, kind: CallKind) => `${provider}|${model}|${kind}`;

function bounded<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (!map.has(key) && map.size >= MAX_TARGETS) map.delete(map.keys().next().value!);
  map.set(key, value);
}

/**
 * Records the TTFB of a successful attempt.
 * @example recordTtfb("sim-us@us", "sim-1", "stream", 120)
 */
export function recordTtfb(provider: string, model: string, kind: CallKind, ms: number): void {
  const key = targetKey(provider, model, kind);
  let r = rings.get(key);
  if (!r) bounded(rings, key, (r = { values: [], next: 0, p95: null }));
  if (r.values.length < RING) r.values.push(ms);
  else r.values[r.next] = ms;
  r.next = (r.next + 1) % RING;
  r.p95 = percentile(r.values, 0.95);
}

/**
 * Records that a provider answered (a success, or an answer that says it is alive).
 * @example recordAnswer("sim-us@us", Date.now())
 */
export function recordAnswer(provider: string, at: number): void {
  bounded(answeredAt, provider, at);
}

/**
 * The TTFB deadline for an attempt at this target.
 * @example deadlineFor({ provider: "sim-us@us", model: "sim-1", kind: "json", attemptTimeoutMs: 30_000 })
 */
export function deadlineFor(input: {
  provider: string;
  model: string;
  kind: CallKind;
  attemptTimeoutMs: number;
  configuredMs?: number;
  sharedMeanMs?: number | null;
}): TtfbDeadline {
  const r = rings.get(targetKey(input.provider, input.model, input.kind));
  return ttfbDeadline({ ...input, p95Ms: r?.p95 ?? null, samples: r?.values.length ?? 0 });
}

/**
 * Marks an attempt as waiting for its first byte; call the returned function when it ends.
 * @example const done = beginWait("sim-us@us", 1000, Date.now()); ... done();
 */
export function beginWait(provider: string, slowAfterMs: number, now: number): () => void {
  const id = nextId++;
  let m = waiting.get(provider);
  if (!m) bounded(waiting, provider, (m = new Map()));
  m.set(id, now);
  bounded(slowAfter, provider, slowAfterMs);
  const map = m;
  return () => {
    map.delete(id);
    if (map.size === 0 && waiting.get(provider) === map) waiting.delete(provider);
  };
}

/**
 * Whether an attempt to this provider has been waiting past its p95 right now, with no answer
 * from the provider since that attempt began.
 * @example waitingTooLong("sim-us@us", Date.now())
 */
export function waitingTooLong(provider: string, now: number): boolean {
  const m = waiting.get(provider);
  if (!m || m.size === 0) return false;
  const oldest: number = m.values().next().value!;
  if ((answeredAt.get(provider) ?? -Infinity) >= oldest) return false;
  return isSlow(oldest, now, slowAfter.get(provider) ?? Infinity);
}

/** Forgets everything (tests). */
export function resetLatency(): void {
  rings.clear();
  waiting.clear();
  slowAfter.clear();
  answeredAt.clear();
}
