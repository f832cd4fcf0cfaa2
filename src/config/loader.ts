/**
 * @module
 * The per-isolate policy-bundle cache. The hot path calls {@link getBundle}: in steady state it
 * returns the cached bundle with no I/O; every CONFIG_CHECK_SECONDS (default 2) one request
 * schedules a version check in the background (`waitUntil`), and a newer version is compiled and
 * swapped in atomically. So admin changes reach every isolate within a few seconds and no request
 * waits on D1 except the very first one in a new isolate.
 */
import type { Env } from "../env";
import { compileBundle, type BundleRows, type PolicyBundle } from "./bundle";
import { openSecret } from "./secrets";

let current: PolicyBundle | undefined;
let checkedAt = 0;
let loading: Promise<PolicyBundle> | undefined;

async function readVersion(db: D1Database): Promise<number> {
  const row = await db.prepare("SELECT version FROM config_version WHERE id = 1").first<{ version: number }>();
  return row?.version ?? 0;
}

async function readRows(env: Env): Promise<BundleRows> {
  const [version, providers, models, teams, workloads, keys, routingRules, governance] = await env.DB.batch([
    env.DB.prepare("SELECT version FROM config_version WHERE id = 1"),
    env.DB.prepare("SELECT id, spec, secret_enc FROM providers"),
    env.DB.prepare("SELECT id, spec FROM models"),
    env.DB.prepare("SELECT id, spec FROM teams"),
    env.DB.prepare("SELECT id, spec FROM workloads"),
    env.DB.prepare("SELECT id, hash, prefix, workload, team, expires_at, revoked_at FROM api_keys WHERE revoked_at IS NULL"),
    // Latest version of each routing rule (src/db/routing-schema.ts).
    env.DB.prepare(
      "SELECT r.scope, r.subject, r.version, r.spec FROM routing_rules r JOIN (SELECT scope, subject, MAX(version) AS v FROM routing_rules GROUP BY scope, subject) m ON r.scope = m.scope AND r.subject = m.subject AND r.version = m.v",
    ),
    // The applied governance version (classification scheme, exemptions): src/governance/runtime.ts.
    env.DB.prepare("SELECT version, artifacts FROM governance_versions ORDER BY version DESC LIMIT 1"),
  ]);
  const providerRows = await Promise.all(
    (providers.results as Array<{ id: string; spec: string; secret_enc: string | null }>).map(async (p) => ({
      id: p.id,
      spec: p.spec,
      secret: p.secret_enc && env.SECRETS_KEY ? await openSecret(env.SECRETS_KEY, p.secret_enc).catch(() => null) : null,
    })),
  );
  return {
    version: (version.results[0] as { version: number } | undefined)?.version ?? 0,
    providers: providerRows,
    models: models.results as BundleRows["models"],
    teams: teams.results as BundleRows["teams"],
    workloads: workloads.results as BundleRows["workloads"],
    routingRules: routingRules.results as NonNullable<BundleRows["routingRules"]>,
    governance: (governance.results[0] as BundleRows["governance"]) ?? null,
    keys: (keys.results as Array<Record<string, string | null>>).map((k) => ({
      id: k.id!,
      hash: k.hash!,
      prefix: k.prefix!,
      workload: k.workload!,
      team: k.team!,
      expiresAt: k.expires_at,
      revokedAt: k.revoked_at,
    })),
  };
}

function load(env: Env): Promise<PolicyBundle> {
  loading ??= readRows(env)
    .then((rows) => {
      current = compileBundle(rows, Date.now());
      checkedAt = Date.now();
      return current;
    })
    .finally(() => (loading = undefined));
  return loading;
}

async function refreshIfChanged(env: Env): Promise<void> {
  const version = await readVersion(env.DB);
  if (!current || version !== current.version) await load(env);
}

/**
 * The current bundle. Waits on D1 only when this isolate has none yet.
 * @example const bundle = await getBundle(env, ctx);
 */
export async function getBundle(env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<PolicyBundle> {
  if (!current) return load(env);
  const intervalMs = Number(env.CONFIG_CHECK_SECONDS ?? "2") * 1000;
  const now = Date.now();
  if (now - checkedAt >= intervalMs && !loading) {
    checkedAt = now;
    ctx.waitUntil(refreshIfChanged(env).catch(() => {}));
  }
  return current;
}

/** Drops this isolate's bundle so the next request recompiles (called after local admin writes). */
export function invalidateBundle(): void {
  current = undefined;
}
