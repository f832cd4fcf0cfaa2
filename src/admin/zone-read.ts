/**
 * @module
 * A handler's own read of every zone: the same fan-out an admin caller gets from a `spansRegions`
 * route (src/admin/fan-out.ts), asked from inside another handler or a cron job. The question is
 * an internal admin read (e.g. GET /admin/v1/maturity/zone-facts) sent with the caller's own
 * Authorization, so each region checks the caller's role itself; a cron job has no caller and
 * sends none, which only routes marked `systemReadable` accept, and only when the forward
 * signature (FORWARD_SIGNING_KEY, shared by the regions) verifies.
 */
import type { Env } from "../env";
import { ProblemError } from "../errors/problem";
import { fanOutScope, gather } from "./fan-out";
import type { RegionMerge, RegionsReport } from "./region-merge";

/** Where a system read (no caller) says it comes from; only the signed forward makes it count. */
const SYSTEM_ORIGIN = "https://switchyard.internal";

export interface ZoneReadRequest<T> {
  /** The internal admin read, path and query: `/admin/v1/maturity/zone-facts`. */
  path: string;
  /** The caller's Authorization header, or null for the system (a cron job). */
  authorization: string | null;
  /** The origin the caller used (signed with the question); the system's own otherwise. */
  origin?: string;
  /** Merges every region's answer, flagging records with their region. */
  merge: RegionMerge;
  /** This region's answer. */
  local: () => Promise<T>;
}

/**
 * Reads every region's answer to an internal admin read and merges them. A single-region
 * deployment answers from here alone (records not flagged); a region that does not answer is
 * reported in `regions.failed`; a refusal anywhere is thrown as that problem.
 * @example const { body, regions } = await readAllZones(env, { path, authorization, merge, local })
 */
export async function readAllZones<T>(env: Env, r: ZoneReadRequest<T>): Promise<{ body: T; regions: RegionsReport }> {
  const headers: Record<string, string> = r.authorization ? { authorization: r.authorization } : {};
  const request = new Request(new URL(r.path, r.origin ?? SYSTEM_ORIGIN), { headers });
  const scope = await fanOutScope(request, env);
  if (scope.kind === "local") return { body: await r.local(), regions: { answered: [env.REGION], failed: [], partial: false } };
  const res = await gather({ span: { merge: r.merge }, regions: scope.regions, request, env, local: r.local });
  if (!res.ok) {
    const problem = await res.json<{ title?: string; detail?: string }>().catch(() => ({ title: undefined, detail: undefined }));
    throw new ProblemError(res.status, problem.title ?? "Region Read Failed", problem.detail ?? `${r.path} answered ${res.status}.`);
  }
  const { regions, ...body } = await res.json<{ regions: RegionsReport } & Record<string, unknown>>();
  return { body: body as T, regions };
}
