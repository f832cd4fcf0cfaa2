/**
 * @module
 * The per-isolate policy-bundle cache. The hot path calls {@link getBundle}: in steady state it
 * returns the cached bundle with no I/O; every CONFIG_CHECK_SECONDS (default 2) one request
 * schedules a version check in the background (`waitUntil`), and a newer version is compiled and
 * swapped in atomically. So admin changes reach every isolate within a few seconds and no request
 * waits on D1 except the very first one in a new isolate.
 */
import type { Env } from "../env";
import { configDb } from "./control-db";
import { compileBundle, type BundleRows, type PolicyBundle } from "./bundle";
import { isLegacySealed, openSecret, sealSecret, type SecretBinding } from "./secrets";
import { SingleFlight } from "./single-flight";

let current: PolicyBundle | undefined;
let checkedAt = 0;
/** Loads share one flight; one that runs past 10 s is presumed abandoned (see SingleFlight). */
const loads = new SingleFlight<PolicyBundle>(10_000);

async function readVersion(db: D1Database): Promise<number> {
  const row = await db.prepare("SELECT version FROM config_version WHERE id = 1").first<{ version: number }>();
  return row?.version ?? 0;
}

/**
 * A provider row's secret, opened for the row's own id and destination; null (the provider then
 * runs without a key) when it was sealed for another. A legacy unbound ciphertext is re-sealed,
 * bound to this row, once: the update applies only if the row still holds that ciphertext.
 */
async function openProviderSecret(env: Env, row: { id: string; spec: string; secret_enc: string }): Promise<string | null> {
  const spec = JSON.parse(row.spec) as { type?: string; base_url?: string };
  const binding: SecretBinding = { providerId: row.id, type: String(spec.type), baseUrl: spec.base_url ?? null };
  const key = env.SECRETS_KEY!;
  try {
    const plain = await openSecret(key, row.secret_enc, binding);
    if (isLegacySealed(row.secret_enc)) {
      const sealed = await sealSecret(key, plain, binding);
      await configDb(env).prepare("UPDATE providers SET secret_enc = ? WHERE id = ? AND secret_enc = ?").bind(sealed, row.id, row.secret_enc).run()
        .catch((err: unknown) => console.error("provider secret not re-sealed", { provider: row.id, error: err instanceof Error ? err.message : String(err) }));
    }
    return plain;
  } catch {
    console.error("provider secret does not open for its row; ignored", { provider: row.id });
    return null;
  }
}

async function readRows(env: Env): Promise<BundleRows> {
  const control = configDb(env);
  const [version, providers, models, teams, workloads, keys, routingRules, governance] = await control.batch([
    control.prepare("SELECT version FROM config_version WHERE id = 1"),
    control.prepare("SELECT id, spec, secret_enc FROM providers"),
    control.prepare("SELECT id, spec FROM models"),
    control.prepare("SELECT id, spec FROM teams"),
    control.prepare("SELECT id, spec FROM workloads"),
    control.prepare("SELECT id, hash, prefix, workload, team, expires_at, revoked_at FROM api_keys WHERE revoked_at IS NULL"),
    // Latest version of each routing rule (src/db/routing-schema.ts).
    control.prepare(
      "SELECT r.scope, r.subject, r.version, r.spec FROM routing_rules r JOIN (SELECT scope, subject, MAX(version) AS v FROM routing_rules GROUP BY scope, subject) m ON r.scope = m.scope AND r.subject = m.subject AND r.version = m.v",
    ),
    // The applied governance version (classification scheme, exemptions): src/governance/runtime.ts.
    control.prepare("SELECT version, artifacts FROM governance_versions ORDER BY version DESC LIMIT 1"),
  ]);
  const providerRows = await Promise.all(
    (providers.results as Array<{ id: string; spec: string; secret_enc: string | null }>).map(async (p) => ({
      id: p.id,
      spec: p.spec,
      secret: p.secret_enc && env.SECRETS_KEY ? await openProviderSecret(env, p as { id: string; spec: string; secret_enc: string }) : null,
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
  return loads.run(() =>
    readRows(env).then((rows) => {
      current = compileBundle(rows, Date.now());
      checkedAt = Date.now();
      return current;
    }),
  );
}

async function refreshIfChanged(env: Env): Promise<void> {
  const version = await readVersion(configDb(env));
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
  if (now - checkedAt >= intervalMs && !loads.busy) {
    checkedAt = now;
    ctx.waitUntil(refreshIfChanged(env).catch(() => {}));
  }
  return current;
}

/** Drops this isolate's bundle so the next request recompiles (called after local admin writes). */
export function invalidateBundle(): void {
  current = undefined;
}
