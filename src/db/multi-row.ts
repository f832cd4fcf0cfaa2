/**
 * @module
 * Multi-row `INSERT OR IGNORE` statements within D1's limit of 100 bound parameters a statement.
 * Queue consumers write many rows per batch; one statement per row costs a round through D1 per
 * row, which on a shared machine is time taken from the data plane.
 */

/** D1's limit on bound parameters per statement. */
export const D1_MAX_PARAMS = 100;

/**
 * @example db.batch(insertOrIgnoreRows(db, "usage_events", ["request_id", "ts"], [["a", "2026-01-01"], ["b", "2026-01-02"]]))
 */
export function insertOrIgnoreRows(db: D1Database, table: string, columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): D1PreparedStatement[] {
  const perStatement = Math.max(1, Math.floor(D1_MAX_PARAMS / columns.length));
  const tuple = `(${columns.map(() => "?").join(", ")})`;
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const part = rows.slice(i, i + perStatement);
    statements.push(db.prepare(`INSERT OR IGNORE INTO ${table} (${columns.join(", ")}) VALUES ${part.map(() => tuple).join(", ")}`).bind(...part.flat()));
  }
  return statements;
}
