// The control plane's own local store for `npm start`: a Miniflare instance that keeps the
// control-plane D1 under .wrangler/state/control/ and serves it to the regional edges, which run in
// Miniflare instances of their own (each zone's state under .wrangler/state/<region>/, since
// Miniflare's persist options are per instance, not per worker).
//
// The edges bind CONTROL_DB as an ordinary D1 binding whose transport is Miniflare's remote-proxy
// client (the one wrangler uses for remote bindings): workerd's own D1 client speaks D1's HTTP
// protocol (POST /query|/execute, `[{sql, params}]`, ?resultsFormat=) to this Worker, which runs it
// on the real local D1 through the D1 API. Local development only: it listens on loopback.

/** The Worker that answers D1's HTTP protocol from the `CONTROL` binding. */
export const CONTROL_STORE_SCRIPT = `
const READ = /^\\s*(select|with|pragma|explain)\\b/i;

function params(list) {
  // D1's wire format sends blobs as arrays of bytes.
  return (list ?? []).map((p) => (Array.isArray(p) ? new Uint8Array(p) : p));
}

function bytesToArrays(value) {
  return value instanceof ArrayBuffer ? Array.from(new Uint8Array(value)) : value;
}

function rowsAndColumns(objects) {
  const columns = objects.length ? Object.keys(objects[0]) : [];
  return { columns, rows: objects.map((o) => columns.map((c) => bytesToArrays(o[c]))) };
}

const NO_META = { served_by: "switchyard-control-store", duration: 0, changes: 0, last_row_id: 0, changed_db: false, size_after: 0, rows_read: 0, rows_written: 0 };

export default {
  async fetch(request, env) {
    const target = new URL(request.headers.get("MF-URL") ?? request.url);
    const format = target.searchParams.get("resultsFormat") ?? "ARRAY_OF_OBJECTS";
    let queries = await request.json();
    if (!Array.isArray(queries)) queries = [queries];
    queries = queries.filter((q) => q.sql.replace(/^\\s+--.*/gm, "").trim().length > 0);
    try {
      if (queries.length === 0) throw new Error("No SQL statements detected.");
      const statements = queries.map((q) => env.CONTROL.prepare(q.sql).bind(...params(q.params)));
      // A single read in rows-and-columns form: raw() keeps every column (joins may repeat names).
      if (format === "ROWS_AND_COLUMNS" && statements.length === 1 && READ.test(queries[0].sql)) {
        const [columns = [], ...rows] = await statements[0].raw({ columnNames: true });
        return Response.json([{ success: true, results: { columns, rows: rows.map((r) => r.map(bytesToArrays)) }, meta: NO_META }]);
      }
      // Everything else as one batch: atomic, like D1's own multi-statement queries, with meta.
      const results = await env.CONTROL.batch(statements);
      return Response.json(results.map((r) => ({
        success: true,
        results: format === "ROWS_AND_COLUMNS" ? rowsAndColumns(r.results ?? []) : (r.results ?? []).map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, bytesToArrays(v)]))),
        meta: { ...NO_META, ...r.meta },
      })));
    } catch (err) {
      return Response.json({ success: false, error: err instanceof Error ? err.message : String(err) });
    }
  },
};
`;
