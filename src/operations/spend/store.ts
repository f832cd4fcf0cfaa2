/**
 * @module
 * Writes an import: every row in one D1 batch (so a failure writes nothing), upserted on its key
 * so the same bill imported twice leaves the same numbers, plus an audit-log entry.
 */
import type { SpendRow } from "./import";

const COLUMNS = ["source", "day", "team", "workload", "model", "provider", "cost_nusd", "tokens_in", "tokens_out", "requests", "import_id", "imported_at"];
const MAX_JSON_CHARS = 500_000;

export interface ImportSummary {
  import_id: string;
  source: string;
  rows_stored: number;
  cost_nusd: number;
  from: string;
  to: string;
}

/** @example await storeImport(env.DB, { source: "openai-invoice", rows, actor: "finance@acme" }) */
export async function storeImport(db: D1Database, opts: { source: string; rows: SpendRow[]; actor: string; now?: string }): Promise<ImportSummary> {
  const importId = `imp_${crypto.randomUUID()}`;
  const at = opts.now ?? new Date().toISOString();
  const sql = `INSERT INTO spend_imports (${COLUMNS.join(", ")})
    SELECT ${COLUMNS.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ")} FROM json_each(?1) WHERE true
    ON CONFLICT (source, day, team, workload, model, provider) DO UPDATE SET cost_nusd = excluded.cost_nusd,
      tokens_in = excluded.tokens_in, tokens_out = excluded.tokens_out, requests = excluded.requests,
      import_id = excluded.import_id, imported_at = excluded.imported_at`;
  const statements: D1PreparedStatement[] = [];
  let part: string[] = [];
  let chars = 0;
  const flush = () => {
    if (part.length) statements.push(db.prepare(sql).bind(`[${part.join(",")}]`));
    part = [];
    chars = 0;
  };
  for (const r of opts.rows) {
    const json = JSON.stringify([opts.source, r.day, r.team, r.workload, r.model, r.provider, r.cost_nusd, r.tokens_in, r.tokens_out, r.requests, importId, at]);
    if (chars + json.length > MAX_JSON_CHARS) flush();
    part.push(json);
    chars += json.length + 1;
  }
  flush();
  const days = opts.rows.map((r) => r.day).sort();
  const summary: ImportSummary = {
    import_id: importId,
    source: opts.source,
    rows_stored: opts.rows.length,
    cost_nusd: opts.rows.reduce((a, r) => a + r.cost_nusd, 0),
    from: days[0],
    to: days[days.length - 1],
  };
  statements.push(
    db.prepare("INSERT INTO audit_log (ts, actor, action, resource, detail) VALUES (?, ?, 'usage.import', ?, ?)").bind(at, opts.actor, `import/${opts.source}`, JSON.stringify(summary)),
  );
  await db.batch(statements);
  return summary;
}
