/**
 * The migrations in d1-migrations/ are numbered SQL files; the drizzle schema in src/db is what
 * the code queries. This test fails when the two drift apart: every drizzle table must exist in
 * the migrated D1 with exactly the drizzle columns.
 */
import { env } from "cloudflare:test";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as agents from "../../src/db/agents-schema";
import * as finance from "../../src/db/finance-schema";
import * as governance from "../../src/db/governance-schema";
import * as guardrails from "../../src/db/guardrails-schema";
import * as maturity from "../../src/db/maturity-schema";
import * as operations from "../../src/db/operations-schema";
import * as routing from "../../src/db/routing-schema";
import * as core from "../../src/db/schema";
import * as workloads from "../../src/db/workloads-schema";

const tables = [core, agents, finance, guardrails, routing, governance, operations, workloads, maturity].flatMap((m) => Object.values(m).filter((v): v is SQLiteTable => v instanceof SQLiteTable));

describe("schema drift", () => {
  it("finds the drizzle tables", () => expect(tables.length).toBeGreaterThan(15));
  it.each(tables.map((t) => [getTableConfig(t).name, t] as const))("%s matches its migration", async (name, table) => {
    const columns = await env.DB.prepare(`SELECT name FROM pragma_table_info(?)`).bind(name).all<{ name: string }>();
    const actual = columns.results.map((c) => c.name).sort();
    const expected = getTableConfig(table).columns.map((c) => c.name).sort();
    expect(actual).toEqual(expected);
  });
});
