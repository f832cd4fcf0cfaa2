/**
 * @module
 * The tables a SQL text touches, read with a real SQL parser (node-sql-parser, PostgreSQL grammar
 * only, to keep the bundle small) instead of keyword regexes that `from/**\/users`, `from"users"`,
 * comma joins or `natural join(users)` slip past. Anything the parser cannot read, or reads in a
 * way known to differ from what a database would run, throws {@link SqlNotUnderstood}: the CEL rule
 * calling `sqlTables` then errors and the call is denied (fail closed).
 */
import { Parser } from "node-sql-parser/build/postgresql";

/** Longer SQL is refused unread: the parser is a PEG parser whose cost grows with the input. */
export const MAX_SQL_LENGTH = 20_000;

export class SqlNotUnderstood extends Error {
  constructor(reason: string) {
    super(`sqlTables: ${reason}; the call is denied`);
    this.name = "SqlNotUnderstood";
  }
}

const parser = new Parser();

interface TableRef {
  db: string | null;
  table: string;
}

/** Every table reference in the AST: objects with `table` and `db` that are not column references. */
function collect(node: unknown, out: TableRef[], depth = 0): void {
  if (depth > 200) throw new SqlNotUnderstood("the statement nests too deeply");
  if (Array.isArray(node)) {
    for (const n of node) collect(n, out, depth + 1);
    return;
  }
  if (!node || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  // A function in FROM (`from pg_read_file(...)`) reads data without naming a table: report it as
  // `name()` so an allow-list of tables refuses it.
  const fn = o.expr as { type?: unknown; name?: { name?: Array<{ value?: unknown }> } } | undefined;
  if ("prefix" in o && "as" in o && fn?.type === "function") {
    out.push({ db: null, table: `${(fn.name?.name ?? []).map((n) => String(n.value)).join(".")}()` });
  }
  // The grammar reads `JOIN x ON true, y` as ON (true, y): a database reads `y` as another table.
  if ("join" in o && o.on && typeof o.on === "object" && (o.on as { type?: unknown }).type === "expr_list") {
    throw new SqlNotUnderstood("a join condition followed by a comma is ambiguous");
  }
  if (o.type !== "column_ref" && typeof o.table === "string" && "db" in o) out.push({ db: typeof o.db === "string" ? o.db : null, table: o.table });
  for (const v of Object.values(o)) if (v && typeof v === "object") collect(v, out, depth + 1);
}

/**
 * Case as the database sees it: unquoted identifiers fold to lower case, quoted ones are kept. The
 * AST does not say which form was used, so a name that appears quoted in the text is kept verbatim
 * and one that (also) appears unquoted is folded; when both occur, both are returned (a rule then
 * has to accept both, which only makes it stricter).
 */
function spellings(name: string, sql: string): string[] {
  const quoted = sql.includes(`"${name}"`) || sql.includes(`\`${name}\``);
  const rest = sql.split(`"${name}"`).join(" ").split(`\`${name}\``).join(" ").toLowerCase();
  const unquoted = rest.includes(name.toLowerCase());
  const out: string[] = [];
  if (quoted) out.push(name);
  if (unquoted || !quoted) out.push(name.toLowerCase());
  return [...new Set(out)];
}

/**
 * Table identifiers a SQL text touches, schema-qualified as written (`public.orders`). Non-ASCII
 * look-alikes are not folded (`оrders` with a Cyrillic о is not `orders`; the grammar refuses it).
 * @example sqlTables('select * from Orders o join "Items" i on true') // ["orders", "Items"]
 */
export function sqlTables(sql: string): string[] {
  if (sql.length > MAX_SQL_LENGTH) throw new SqlNotUnderstood(`SQL longer than ${MAX_SQL_LENGTH} characters`);
  let parsed: { ast: unknown; tableList: string[] };
  try {
    parsed = parser.parse(sql, { database: "postgresql" });
  } catch {
    throw new SqlNotUnderstood("the SQL does not parse");
  }
  const refs: TableRef[] = [];
  collect(parsed.ast, refs);
  // The parser's own list ("select::db::table") as a second opinion: a union is only stricter.
  for (const entry of parsed.tableList) {
    const [, db, table] = entry.split("::");
    if (table) refs.push({ db: db && db !== "null" ? db : null, table });
  }
  const out: string[] = [];
  for (const r of refs) {
    for (const t of spellings(r.table, sql)) {
      const schemas = r.db ? spellings(r.db, sql) : [null];
      for (const s of schemas) out.push(s ? `${s}.${t}` : t);
    }
  }
  return [...new Set(out)];
}
