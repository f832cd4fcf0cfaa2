import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { insertNewRows, type Cell } from "../../src/db/multi-row";

const COLUMNS = ["id", "label", "n", "x", "note"] as const;

async function table(name: string) {
  await env.DB.exec(`CREATE TABLE IF NOT EXISTS ${name} (id TEXT PRIMARY KEY, label TEXT, n INTEGER, x REAL, note TEXT)`);
}

describe("insertNewRows (rows as one JSON parameter)", () => {
  it("keeps every value and its SQL type (column affinity applies as for bound values): text that looks like JSON or numbers stays text", async () => {
    await table("bulk_types");
    const rows: Cell[][] = [
      ["a", 'it\'s "quoted", with , and ]', 7, 0.25, null],
      ["b", "ünïcødé ✓ 🚀", -3, 1e-9, '{"json":"as text"}'],
      ["c", "123", 9007199254740991, 2, "[1,2]"],
    ];
    await env.DB.batch(insertNewRows(env.DB, "bulk_types", COLUMNS, rows));
    const got = await env.DB.prepare("SELECT id, label, n, x, note, typeof(label) AS tl, typeof(n) AS tn, typeof(x) AS tx, typeof(note) AS tnote FROM bulk_types ORDER BY id").all();
    expect(got.results).toEqual([
      { id: "a", label: rows[0][1], n: 7, x: 0.25, note: null, tl: "text", tn: "integer", tx: "real", tnote: "null" },
      { id: "b", label: rows[1][1], n: -3, x: 1e-9, note: rows[1][4], tl: "text", tn: "integer", tx: "real", tnote: "text" },
      { id: "c", label: "123", n: 9007199254740991, x: 2, note: "[1,2]", tl: "text", tn: "integer", tx: "real", tnote: "text" },
    ]);
  });

  it("splits large inputs into several statements that together insert every row once; a repeat inserts nothing", async () => {
    await table("bulk_split");
    const rows: Cell[][] = Array.from({ length: 250 }, (_, i) => [`r${i}`, "p".repeat(40), i, i / 2, null]);
    const statements = insertNewRows(env.DB, "bulk_split", COLUMNS, rows, 2_000);
    expect(statements.length).toBeGreaterThan(5);
    await env.DB.batch(statements);
    const again = await env.DB.batch(insertNewRows(env.DB, "bulk_split", COLUMNS, rows.slice(100, 120), 2_000));
    expect(again.reduce((n, r) => n + r.meta.changes, 0)).toBe(0);
    const sum = await env.DB.prepare("SELECT COUNT(*) AS c, SUM(n) AS s FROM bulk_split").first<{ c: number; s: number }>();
    expect(sum).toEqual({ c: 250, s: (249 * 250) / 2 });
  });

  it("skips only rows already there: a row breaking NOT NULL fails the statement and its batch instead of vanishing", async () => {
    await env.DB.exec("CREATE TABLE IF NOT EXISTS bulk_strict (id TEXT PRIMARY KEY, label TEXT, n INTEGER NOT NULL, x REAL, note TEXT)");
    await env.DB.batch(insertNewRows(env.DB, "bulk_strict", COLUMNS, [["s1", "first", 1, 0, null]]));
    // A repeat of s1 is skipped as before; s2 with a null count must not be dropped without a word
    // (INSERT OR IGNORE did exactly that), and s3 goes with it: one transaction.
    const write = env.DB.batch(insertNewRows(env.DB, "bulk_strict", COLUMNS, [["s1", "again", 1, 0, null], ["s2", "no count", null, 0, null], ["s3", "fine", 3, 0, null]]));
    await expect(write).rejects.toThrow(/NOT NULL/);
    const rows = await env.DB.prepare("SELECT id, label FROM bulk_strict ORDER BY id").all();
    expect(rows.results).toEqual([{ id: "s1", label: "first" }]);
  });
});
