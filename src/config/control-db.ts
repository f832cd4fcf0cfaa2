/**
 * @module
 * Where configuration lives. Multi-region deployments bind one global control-plane D1 as
 * `CONTROL_DB` to every regional Worker (same database in every env block): teams, workloads,
 * keys, providers, catalog, routing rules, agents, governance and the audit log have one source
 * of truth, so a key created through any region's admin API works on every edge. Each region's
 * own `DB` keeps only the zone's per-request data (usage, request logs, agent calls, alerts).
 * A single-region setup binds no CONTROL_DB: both roles fall to `DB`.
 *
 * Code that reads or writes configuration asks {@link configDb}; code that reads or writes
 * per-request data uses `env.DB`. Drizzle callers get the control plane through `db(env)`
 * (src/config/store.ts).
 */

/** The bindings that decide where configuration lives. */
export interface ConfigDbBindings {
  DB: D1Database;
  CONTROL_DB?: D1Database;
}

/**
 * The control-plane D1: `CONTROL_DB` when bound, else the zone's own `DB`.
 * @example await configDb(env).prepare("SELECT version FROM config_version WHERE id = 1").first()
 */
export function configDb(env: ConfigDbBindings): D1Database {
  return env.CONTROL_DB ?? env.DB;
}
