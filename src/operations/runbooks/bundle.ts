/**
 * @module
 * The policy bundle as of now for scheduled runbooks: a cron run must act on the config that is
 * in D1, not on this isolate's copy from seconds ago (a fault may have just been set or lifted).
 * Recompiling once per run is cheap next to the cron interval.
 */
import type { PolicyBundle } from "../../config/bundle";
import { getBundle, invalidateBundle } from "../../config/loader";
import type { Env } from "../../env";

export function freshBundle(env: Env): Promise<PolicyBundle> {
  invalidateBundle();
  return getBundle(env, { waitUntil: () => undefined });
}
