/**
 * @module
 * Quarterly access reviews as plain data: which quarter a date falls in, when a campaign is due,
 * and the review items (every grant of every agent, with its last use and the 90-day flag).
 */
import type { Grant } from "./schemas";

export const REVIEW_DUE_DAYS = 30;
export const UNUSED_FLAG_DAYS = 90;

/** @example quarterOf(new Date("2026-07-01T07:00:00Z")) // "2026-Q3" */
export function quarterOf(d: Date): string {
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

export interface ReviewItemDraft {
  agent: string;
  grant: Grant;
  lastUsed: string | null;
  unused90d: boolean;
}

/**
 * One item per grant. `lastUse(agent, grant)` returns the ISO time of the last allowed call the
 * grant covers, or null.
 * @example reviewItems([{ id: "a", grants }], () => null, Date.now())
 */
export function reviewItems(agents: ReadonlyArray<{ id: string; grants: readonly Grant[] }>, lastUse: (agent: string, grant: Grant) => string | null, now: number): ReviewItemDraft[] {
  return agents.flatMap((a) =>
    a.grants.map((grant) => {
      const lastUsed = lastUse(a.id, grant);
      return { agent: a.id, grant, lastUsed, unused90d: !lastUsed || now - Date.parse(lastUsed) > UNUSED_FLAG_DAYS * 86_400_000 };
    }),
  );
}

/** Whether two grants are the same rule (order of keys does not matter). */
export function sameGrant(a: Grant, b: Grant): boolean {
  return a.server === b.server && a.tool === b.tool && (a.when ?? null) === (b.when ?? null);
}
