/**
 * @module
 * Typed reads and writes of control-plane objects in D1 (drizzle). Every write goes in one
 * batch (a transaction in D1) with the config-version bump and its audit-log row, so an edge
 * never sees a change without its version, and no change goes unaudited.
 */
import { eq, sql } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import type { BatchItem } from "drizzle-orm/batch";
import * as schema from "../db/schema";
import type { Env } from "../env";
import { configDb, type ConfigDbBindings } from "./control-db";
import { invalidateBundle } from "./loader";

export type Db = DrizzleD1Database<typeof schema>;

/** Drizzle over the control-plane D1 (src/config/control-db.ts): configuration, governance, audit. */
export function db(env: ConfigDbBindings): Db {
  return drizzle(configDb(env), { schema });
}

/**
 * Drizzle over this edge's zone D1 (`env.DB`, never CONTROL_DB): per-request content such as
 * production eval samples, written by the team's home edge and read from the edge that answers.
 */
export function zoneDb(env: Pick<ConfigDbBindings, "DB">): Db {
  return drizzle(env.DB, { schema });
}

export interface AuditEntry {
  actor: string;
  action: string;
  resource: string;
  detail?: unknown;
}

/** An ISO timestamp; one place so tests and rows agree on format. */
export const nowIso = (): string => new Date().toISOString();

/**
 * Applies config writes atomically with a version bump and an audit row, then drops this
 * isolate's bundle so its next request sees the change at once (others within seconds).
 * @example await writeConfig(env, [d.insert(teams).values(row)], { actor, action: "team.put", resource: "teams/acme" })
 */
export async function writeConfig(env: ConfigDbBindings, writes: BatchItem<"sqlite">[], audit: AuditEntry): Promise<number> {
  const d = db(env);
  const ts = nowIso();
  const bump = d
    .insert(schema.configVersion)
    .values({ id: 1, version: 1, updatedAt: ts })
    .onConflictDoUpdate({ target: schema.configVersion.id, set: { version: sql`${schema.configVersion.version} + 1`, updatedAt: ts } })
    .returning({ version: schema.configVersion.version });
  const auditRow = d.insert(schema.auditLog).values({
    ts,
    actor: audit.actor,
    action: audit.action,
    resource: audit.resource,
    detail: audit.detail === undefined ? null : JSON.stringify(audit.detail),
  });
  const results = await d.batch([...writes, bump, auditRow] as unknown as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  invalidateBundle();
  const versionRows = results[writes.length] as Array<{ version: number }>;
  return versionRows[0]?.version ?? 0;
}

/** Appends an audit row outside a config write (reads of sensitive data, drills...). */
export async function audit(env: ConfigDbBindings, entry: AuditEntry): Promise<void> {
  await db(env).insert(schema.auditLog).values({
    ts: nowIso(),
    actor: entry.actor,
    action: entry.action,
    resource: entry.resource,
    detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
  });
}

/** Parses a stored JSON spec column. */
export function specOf<T>(row: { spec: string }): T {
  return JSON.parse(row.spec) as T;
}

export { eq, schema };
