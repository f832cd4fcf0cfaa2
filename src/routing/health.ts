/**
 * @module
 * The per-isolate view of provider health, and how it stays in step with the shared
 * ProviderHealth Durable Object without the hot path ever awaiting it:
 *
 * - {@link healthView} is synchronous: it combines this isolate's own breaker (opens after a
 *   couple of consecutive failures, so a dead provider stops costing latency at once) with the
 *   last snapshot of the shared breaker.
 * - {@link recordAttempt} updates the local breaker synchronously and queues the outcome.
 * - {@link scheduleHealthSync} sends queued outcomes in one RPC per provider and takes back the
 *   fresh shared snapshot, at most once per HEALTH_SYNC_MS (default 1 s), inside `waitUntil`.
 *
 * Drill traffic uses its own scope: local only, never reported, so a drill's simulated outage
 * never opens a circuit for production traffic.
 */
import type { Env } from "../env";
import { LOCAL_BREAKER, SHARED_BREAKER, combineViews, freshStats, recordOutcome, type BreakerConfig, type HealthStats, type HealthView, type Outcome } from "./breaker";

export type HealthScope = "live" | "drill";

interface Entry {
  provider: string;
  region: string;
  scope: HealthScope;
  local?: HealthStats;
  shared?: HealthStats;
  pending: Outcome[];
  /** While set (epoch ms), one request of this isolate is probing a half-open circuit. */
  probeUntil?: number;
}

/** How long a probe claim holds if its request never reports back (crashed, cancelled). */
const PROBE_CLAIM_MS = 30_000;

/** Bounded: one entry per provider × region × scope; far below this in practice. */
const MAX_ENTRIES = 2_048;
/** Outcomes kept per provider between syncs; older ones are dropped (the EWMA needs only recent ones). */
const MAX_PENDING = 256;

const entries = new Map<string, Entry>();
let lastSyncAt = 0;
let syncing = false;
let flushScheduled = false;

const keyOf = (provider: string, region: string, scope: HealthScope) => `${provider}@${region}${scope === "drill" ? "#drill" : ""}`;

/** Breaker settings, with BREAKER_COOLDOWN_MS overriding both cooldowns (tests, drills). */
export function breakerConfigs(env: Pick<Env, "BREAKER_COOLDOWN_MS">): { local: BreakerConfig; shared: BreakerConfig } {
  const cooldown = Number(env.BREAKER_COOLDOWN_MS);
  if (!Number.isFinite(cooldown) || cooldown <= 0) return { local: LOCAL_BREAKER, shared: SHARED_BREAKER };
  return { local: { ...LOCAL_BREAKER, cooldownMs: cooldown }, shared: { ...SHARED_BREAKER, cooldownMs: cooldown } };
}

/**
 * Health of one provider as this isolate sees it; never does I/O.
 * @example healthView("sim-us", "us", Date.now()).state === "closed"
 */
export function healthView(provider: string, region: string, now: number, scope: HealthScope = "live"): HealthView {
  const e = entries.get(keyOf(provider, region, scope));
  return combineViews(e?.local, e?.shared, now);
}

/**
 * Health for planning one request: like {@link healthView}, but a half-open circuit admits only
 * one probing request per isolate at a time; the others see it as open (and skip it) until the
 * probe reports. Returns whether this request holds the probe, so it can be released.
 * @example const { view, probe } = claimHealth("sim-us", "us", Date.now());
 */
export function claimHealth(provider: string, region: string, now: number, scope: HealthScope = "live"): { view: HealthView; probe: boolean } {
  const view = healthView(provider, region, now, scope);
  if (view.state !== "half_open") return { view, probe: false };
  const key = keyOf(provider, region, scope);
  let e = entries.get(key);
  if (!e) entries.set(key, (e = { provider, region, scope, pending: [] }));
  if (e.probeUntil !== undefined && e.probeUntil > now) return { view: { ...view, state: "open" }, probe: false };
  e.probeUntil = now + PROBE_CLAIM_MS;
  return { view, probe: true };
}

/** Gives back a probe claim that was not used (an earlier target answered). */
export function releaseProbe(provider: string, region: string, scope: HealthScope = "live"): void {
  const e = entries.get(keyOf(provider, region, scope));
  if (e) e.probeUntil = undefined;
}

/**
 * Records one attempt outcome: local breaker now, shared breaker at the next sync.
 * @example recordAttempt("sim-us", "us", { ok: false, latencyMs: 3, at: Date.now() }, LOCAL_BREAKER)
 */
export function recordAttempt(provider: string, region: string, outcome: Outcome, cfg: BreakerConfig, scope: HealthScope = "live"): void {
  const key = keyOf(provider, region, scope);
  let e = entries.get(key);
  if (!e) {
    if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    e = { provider, region, scope, pending: [] };
    entries.set(key, e);
  }
  e.local = recordOutcome(e.local ?? freshStats(outcome.at), outcome, cfg);
  e.probeUntil = undefined;
  if (scope === "live") {
    e.pending.push(outcome);
    if (e.pending.length > MAX_PENDING) e.pending.splice(0, e.pending.length - MAX_PENDING);
  }
}

/** One shared-state exchange per known live provider: send what is pending, take the snapshot. */
async function sync(env: Pick<Env, "PROVIDER_HEALTH">): Promise<void> {
  const live = [...entries.values()].filter((e) => e.scope === "live");
  await Promise.all(
    live.map(async (e) => {
      const batch = e.pending.splice(0);
      try {
        const stub = env.PROVIDER_HEALTH.get(env.PROVIDER_HEALTH.idFromName(`${e.provider}@${e.region}`));
        e.shared = await stub.report(batch);
      } catch (err) {
        // Health is advisory: losing one batch only delays the shared view.
        console.warn("provider health sync failed", { provider: e.provider, error: err instanceof Error ? err.message : String(err) });
      }
    }),
  );
}

/**
 * Schedules a background sync when one is due. Costs the hot path one comparison otherwise.
 * @example scheduleHealthSync(env, ctx, Date.now());
 */
export function scheduleHealthSync(env: Pick<Env, "PROVIDER_HEALTH" | "HEALTH_SYNC_MS">, ctx: { waitUntil(p: Promise<unknown>): void }, now: number): void {
  const interval = Number(env.HEALTH_SYNC_MS ?? "1000");
  if (syncing || entries.size === 0) return;
  const wait = lastSyncAt + interval - now;
  if (wait > 0) {
    // Not due yet: make sure outcomes still reach the shared view when no later request comes
    // (the last failures before traffic stops are the ones that matter). One timer per isolate.
    if (!flushScheduled && hasPending()) {
      flushScheduled = true;
      ctx.waitUntil(new Promise((r) => setTimeout(r, wait)).then(() => {
        flushScheduled = false;
        scheduleHealthSync(env, ctx, Date.now());
      }));
    }
    return;
  }
  syncing = true;
  lastSyncAt = now;
  ctx.waitUntil(sync(env).finally(() => (syncing = false)));
}

function hasPending(): boolean {
  for (const e of entries.values()) if (e.pending.length > 0) return true;
  return false;
}

/** Forgets every local view (tests; a drill's scope after the drill). */
export function resetHealth(scope?: HealthScope): void {
  if (!scope) entries.clear();
  else for (const [k, e] of entries) if (e.scope === scope) entries.delete(k);
}
