/**
 * @module
 * Bulk insert-once for the queue consumers. Rows travel as one JSON array bound to a single
 * parameter and are unpacked by SQLite's `json_each`, so a batch of hundreds of rows is one
 * statement instead of one per row (or per handful of rows under D1's limit of 100 bound
 * parameters a statement). Statements are what D1 charges its overhead on; the consumers share
 * the machine with the data plane, so fewer of them is time given back to requests.
 *
 * A row whose key is already there is skipped (`ON CONFLICT DO NOTHING`: redeliveries change
 * nothing). Any other broken constraint fails the statement. `INSERT OR IGNORE` skipped those
 * rows too, silently: a usage event with a null cost simply vanished. Callers check rows first
 * (src/usage/storable.ts) so one bad record cannot fail its batch.
 */

/** D1's limit on bound parameters per statement. */
export const D1_MAX_PARAMS = 100;

/**
 * Characters of row JSON per statement. D1 caps a bound value at 2 MB (its string/BLOB limit);
 * this keeps each array far below that even if every character took 3 bytes.
 */
const MAX_JSON_CHARS = 500_000;

/**
 * Cell values SQLite takes from JSON as they are: strings stay TEXT, integers INTEGER, other
 * numbers REAL, null NULL. (Booleans would arrive as 1/0 but callers pass numbers.)
 */
export type Cell = string | number | null;

/**
 * One statement per `maxJsonChars` of row JSON; run them in one `db.batch` to keep them atomic.
 * @example db.batch(insertNewRows(db, "usage_events", ["request_id", "ts"], [["a", "2026-01-01"], ["b", "2026-01-02"]]))
 */
export function insertNewRows(
  db: D1Database,
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<Cell>>,
  maxJsonChars = MAX_JSON_CHARS,
): D1PreparedStatement[] {
  // `WHERE true`: SQLite's grammar needs it between a SELECT and an upsert clause.
  const sql = `INSERT INTO ${table} (${columns.join(", ")}) SELECT ${columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ")} FROM json_each(?1) WHERE true ON CONFLICT DO NOTHING`;
  const statements: D1PreparedStatement[] = [];
  let part: string[] = [];
  let chars = 0;
  for (const row of rows) {
    const json = JSON.stringify(row);
    if (part.length > 0 && chars + json.length > maxJsonChars) {
      statements.push(db.prepare(sql).bind(`[${part.join(",")}]`));
      part = [];
      chars = 0;
    }
    part.push(json);
    chars += json.length + 1;
  }
  if (part.length > 0) statements.push(db.prepare(sql).bind(`[${part.join(",")}]`));
  return statements;
}
