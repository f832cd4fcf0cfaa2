/**
 * @module
 * The three local edges of the multi-region tests (test/integration/routing-edge-worker.ts): the
 * main test worker plays `us` (its D1 is also the control plane), EDGE_EU and EDGE_APAC are the
 * other zones with their own D1 and R2, bound here as DB_EU/BLOBS_EU... so tests can scan them.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { app } from "../../workers/app";
import { BASE } from "./helpers";

export type Zone = "us" | "eu" | "apac";
export const ZONES: Zone[] = ["us", "eu", "apac"];
export const zoneDb: Record<Zone, D1Database> = { us: env.DB, eu: env.DB_EU, apac: env.DB_APAC };

/** The us edge's REGION_EDGES: the other two edges over service bindings. */
export const US_EDGES = JSON.stringify({ eu: "service:EDGE_EU", apac: "service:EDGE_APAC" });

/**
 * One request through the given region's edge (`edges` replaces the us edge's REGION_EDGES).
 * @example await viaEdge("us", "/healthz")
 */
export async function viaEdge(zone: Zone, path: string, init: RequestInit = {}, edges = US_EDGES): Promise<Response> {
  const request = new Request(`${BASE}${path}`, init);
  if (zone === "eu") return env.EDGE_EU.fetch(request);
  if (zone === "apac") return env.EDGE_APAC.fetch(request);
  const ctx = createExecutionContext();
  const res = await app.fetch(request, { ...env, REGION: "us", REGION_EDGES: edges }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
