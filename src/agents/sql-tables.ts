/**
 * @module
 * The tables a SQL text touches, read with a real SQL parser (node-sql-parser, PostgreSQL grammar
 * only, to keep the bundle small) instead of keyword regexes that `from/**\/users`, `from"users"`,
 * comma joins or `natural join(users)` slip past. Anything the parser cannot read, or reads in a
 * way known to differ from what a database would run, throws {@link SqlNotUnderstood}: the CEL rule
 * calling `sqlTables` then errors and the call is denied (fail closed).
 *
 * Before the parser sees a statement, a linear lexical pass ({@link lexicalRefusal}) refuses what
 * the parser and PostgreSQL read differently — a backslash in a quoted token (the parser treats
 * `\'` as an escaped quote; PostgreSQL, with standard strings, ends the string there, so
 * `'\' union select * from users --'` would hide a table), dollar quoting, `E'...'` and `U&`
 * strings, `#`, nested block comments — and what would make the parser slow: unbalanced or deep
 * parentheses, unterminated strings and comments, very long input.
 */
import { Parser } from "node-sql-parser/build/postgresql";

/** Longer SQL is refused unread: the parser is a PEG parser whose cost grows with the input. */
export const MAX_SQL_LENGTH = 4_000;
/**
 * Deeper parenthesis nesting is refused unread. The generated parser backtracks without
 * memoisation, and on input it cannot parse its time grows exponentially with nesting depth
 * (measured: ~2x per level; 12 unclosed parentheses take seconds), so depth is bounded first.
 */
export const MAX_PAREN_DEPTH = 5;

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
  if (depth > 1000) throw new SqlNotUnderstood("the statement nests too deeply");
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
  const hit = recent.get(sql);
  if (hit instanceof SqlNotUnderstood) throw hit;
  if (hit) return [...hit];
  let result: string[] | SqlNotUnderstood;
  try {
    result = readTables(sql);
  } catch (err) {
    if (!(err instanceof SqlNotUnderstood)) throw err;
    result = err;
  }
  if (sql.length <= CACHED_SQL_LENGTH) {
    if (recent.size >= CACHE_SIZE) recent.delete(recent.keys().next().value!);
    recent.set(sql, result);
  }
  if (result instanceof SqlNotUnderstood) throw result;
  return [...result];
}

/**
 * Parsing costs ~0.2 ms; agents repeat the same statements, so recent answers (tables or the
 * refusal) are kept per isolate. The function is pure, so a cached answer is the same answer.
 */
const CACHE_SIZE = 512;
const CACHED_SQL_LENGTH = 4096;
const recent = new Map<string, string[] | SqlNotUnderstood>();

/**
 * Why a statement is refused before parsing, or null. One pass over the text, PostgreSQL's
 * lexical rules: '...' and "..." with doubled quotes, -- and /* *\/ comments.
 * @example lexicalRefusal("select '\\' from users --'") // "a backslash inside a quoted string or identifier"
 */
export function lexicalRefusal(sql: string): string | null {
  if (sql.length > MAX_SQL_LENGTH) return `SQL longer than ${MAX_SQL_LENGTH} characters`;
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      if (sql[i - 1] === "&") return "U& escapes are not accepted";
      const prefixed = c === "'" && i > 0 && /[eEuUbBxXnN]/.test(sql[i - 1]) && (i < 2 || !/[A-Za-z0-9_]/.test(sql[i - 2]));
      if (prefixed) return "prefixed string literals (E'', B'', X'', N'') are not accepted";
      let j = i + 1;
      for (; j < sql.length; j++) {
        if (sql[j] === "\\") return "a backslash inside a quoted string or identifier";
        if (sql[j] === c) {
          if (sql[j + 1] === c) j++;
          else break;
        }
      }
      if (j >= sql.length) return "an unterminated quoted string or identifier";
      i = j;
    } else if (c === "-" && next === "-") {
      // PostgreSQL and the parser both end a line comment at \n or \r.
      const m = /[\n\r]/.exec(sql.slice(i));
      if (!m) break;
      i += m.index;
    } else if (c === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      if (end < 0) return "an unterminated comment";
      if (sql.slice(i + 2, end).includes("/*")) return "nested block comments";
      i = end + 1;
    } else if (c === "$") {
      if (!/[0-9]/.test(next ?? "")) return "dollar quoting is not accepted";
    } else if (c === "#" || c === "\\" || c === "`") {
      return `the character ${c} outside a string`;
    } else if (c === "(") {
      if (++depth > MAX_PAREN_DEPTH) return `parentheses nested deeper than ${MAX_PAREN_DEPTH}`;
    } else if (c === ")") {
      if (--depth < 0) return "unbalanced parentheses";
    }
  }
  return depth === 0 ? null : "unbalanced parentheses";
}

function readTables(sql: string): string[] {
  const refusal = lexicalRefusal(sql);
  if (refusal) throw new SqlNotUnderstood(refusal);
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
