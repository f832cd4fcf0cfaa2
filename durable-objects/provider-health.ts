/**
 * @module
 * ProviderHealth Durable Object: the shared circuit breaker of one provider as seen from one
 * region (named "<provider>@<region>"). Consistency model: one instance per name processes RPCs
 * one at a time, so folding a batch of outcomes into the stats is atomic without locks; the
 * stats are written to the object's SQLite-backed storage after each batch, so a restart keeps
 * the circuit state. Isolates never wait on it per request: they send outcome batches and read
 * the snapshot back about once a second (src/routing/health.ts).
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env";
import { circuitAt, freshStats, recordOutcome, type HealthStats, type Outcome } from "../src/routing/breaker";
import { breakerConfigs } from "../src/routing/health";

const KEY = "stats";
/** A batch larger than this is a bug or abuse; the newest outcomes matter most. */
const MAX_BATCH = 1_000;

export class ProviderHealth extends DurableObject<Env> {
  private stats: HealthStats | undefined;

  private load(): HealthStats {
    this.stats ??= this.ctx.storage.kv.get<HealthStats>(KEY) ?? freshStats(Date.now());
    return this.stats;
  }

  /**
   * Folds reported outcomes (in order) into the stats and returns the snapshot.
   * @example const snap = await env.PROVIDER_HEALTH.get(id).report([{ ok: true, latencyMs: 80, at: Date.now() }]);
   */
  async report(outcomes: Outcome[]): Promise<HealthStats> {
    let s = this.load();
    if (outcomes.length > 0) {
      const cfg = breakerConfigs(this.env).shared;
      for (const o of outcomes.slice(-MAX_BATCH).sort((a, b) => a.at - b.at)) s = recordOutcome(s, o, cfg);
      this.stats = s;
      this.ctx.storage.kv.put(KEY, s);
    }
    return { ...s, state: circuitAt(s, Date.now()) };
  }

  /** The current snapshot without reporting anything. */
  async snapshot(): Promise<HealthStats> {
    return this.report([]);
  }

  /** Back to a closed circuit with no history (admin action after a provider incident). */
  async reset(): Promise<HealthStats> {
    this.stats = freshStats(Date.now());
    this.ctx.storage.kv.put(KEY, this.stats);
    return this.stats;
  }
}
