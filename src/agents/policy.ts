/**
 * @module
 * Tool and parameter authorization. An agent's grants are compiled once per policy version into
 * CEL programs (so a call pays only for evaluation, as Hono's middleware resolve options up
 * front); a call is allowed only when a grant for the server and tool matches and its `when`
 * evaluates to exactly `true`. Anything else — no grant, false, a missing key, a type error —
 * denies: the check fails closed. Arguments are evaluated as the gateway will forward them; the
 * helper functions below refuse ambiguity rather than normalising input the upstream would not.
 * `sqlTables` parses SQL with a real parser and throws on what it cannot read; `matches` runs on
 * RE2 (linear time), see re2-matches.ts.
 */
import { Environment } from "@marcbachmann/cel-js";
import { compileRe2, re2Matches, RegexRefused, useRe2Matches } from "./re2-matches";
import type { Grant } from "./schemas";
import { sqlTables } from "./sql-tables";

export { sqlTables } from "./sql-tables";

/** Arguments as JSON gives them. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
export type Args = { [k: string]: JsonValue };

/**
 * The domain of an e-mail address, lower-cased (DNS names are case-insensitive), or "" when the
 * address is not plainly `local@domain` (quotes, several @, spaces, comments are refused).
 * @example emailDomain("Bob@Acme.COM") // "acme.com"
 */
export function emailDomain(address: string): string {
  const m = /^[^\s@"()<>,;:\\]+@([A-Za-z0-9.-]+)$/.exec(address);
  return m ? m[1].toLowerCase() : "";
}

/**
 * True when a path has no traversal or encoding tricks, so a `startsWith` prefix rule means what
 * it says: no `..` or `.` segments, no `//`, no backslash, no `%`, no control characters.
 * @example isCleanPath("/data/../etc/passwd") // false
 */
export function isCleanPath(path: string): boolean {
  if (!path.startsWith("/") || /[\\%\u0000-\u001f\u007f]/.test(path) || path.includes("//")) return false;
  return path.split("/").every((seg) => seg !== ".." && seg !== ".");
}

const LIMITS = { maxAstNodes: 2000, maxDepth: 50, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 16 };

/** One CEL environment for every policy: `args` plus the helpers above. */
const celEnv = new Environment({ limits: LIMITS, homogeneousAggregateLiterals: false })
  .registerVariable("args", "map")
  .registerFunction("sqlTables(string): list<string>", (s: string) => sqlTables(s))
  .registerFunction("emailDomain(string): string", (s: string) => emailDomain(s))
  .registerFunction("isCleanPath(string): bool", (s: string) => isCleanPath(s))
  .registerFunction("string.re2Matches(string): bool", (s: string, p: string) => re2Matches(s, p))
  .registerFunction("re2Matches(string, string): bool", (s: string, p: string) => re2Matches(s, p));

export interface CompiledGrant {
  index: number;
  server: string;
  tool: string;
  source: string | null;
  program: ((ctx: { args: Args }) => unknown) | null;
}

export interface CompiledPolicy {
  agent: string;
  version: number;
  grants: CompiledGrant[];
}

export class PolicyCompileError extends Error {
  constructor(readonly index: number, message: string) {
    super(message);
    this.name = "PolicyCompileError";
  }
}

/**
 * Compiles an agent's grants. Throws {@link PolicyCompileError} naming the grant that does not
 * parse or does not type-check to a bool, so a bad rule is refused at registration, not at call time.
 * @example const p = compilePolicy("sql-bot", 3, [{ server: "db", tool: "query", when: "args.table == 'orders'" }]);
 */
export function compilePolicy(agent: string, version: number, grants: readonly Grant[]): CompiledPolicy {
  return {
    agent,
    version,
    grants: grants.map((g, index) => {
      if (!g.when) return { index, server: g.server, tool: g.tool, source: null, program: null };
      let parsed: ReturnType<typeof celEnv.parse>;
      try {
        parsed = celEnv.parse(g.when);
      } catch (err) {
        throw new PolicyCompileError(index, `grants[${index}].when does not parse: ${firstLine(err)}`);
      }
      for (const pattern of useRe2Matches(parsed.ast)) {
        try {
          compileRe2(pattern);
        } catch (err) {
          throw new PolicyCompileError(index, `grants[${index}].when: ${err instanceof RegexRefused ? err.message : firstLine(err)}`);
        }
      }
      const program = parsed as unknown as (ctx: { args: Args }) => unknown;
      const checked = parsed.check() as { valid: boolean; type?: unknown; error?: { message: string } };
      if (!checked.valid) throw new PolicyCompileError(index, `grants[${index}].when does not type-check: ${checked.error?.message.split("\n")[0] ?? "invalid"}`);
      if (checked.type !== "bool" && checked.type !== "dyn") throw new PolicyCompileError(index, `grants[${index}].when must be a bool expression, not ${String(checked.type)}`);
      return { index, server: g.server, tool: g.tool, source: g.when, program };
    }),
  };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0].slice(0, 300);
}

export type Decision =
  | { allowed: true; grant: number }
  | { allowed: false; reason: "no_grant" | "rule_failed"; rule: string; detail?: string };

/**
 * Decides one tool call. Grants for the same tool are alternatives: any one passing allows.
 * @example authorize(policy, "db", "query", { table: "orders" }) // { allowed: true, grant: 0 }
 */
export function authorize(policy: CompiledPolicy, server: string, tool: string, args: Args): Decision {
  let failed: { rule: string; detail?: string } | undefined;
  for (const g of policy.grants) {
    if (g.server !== server || (g.tool !== "*" && g.tool !== tool)) continue;
    if (!g.program) return { allowed: true, grant: g.index };
    try {
      if (g.program({ args }) === true) return { allowed: true, grant: g.index };
      failed ??= { rule: g.source! };
    } catch (err) {
      // Missing keys and type errors land here: the rule could not confirm the call, so deny.
      failed ??= { rule: g.source!, detail: firstLine(err) };
    }
  }
  if (!failed) return { allowed: false, reason: "no_grant", rule: `no grant for ${server}/${tool}` };
  return { allowed: false, reason: "rule_failed", ...failed };
}

/** Whether any grant could allow `tool` on `server` (for filtering tools/list). */
export function mayListTool(policy: CompiledPolicy, server: string, tool: string): boolean {
  return policy.grants.some((g) => g.server === server && (g.tool === "*" || g.tool === tool));
}

/**
 * The shape of a value: keys and types, never values, for audit logs.
 * @example argShape({ table: "orders", ids: [1, 2] }) // { table: "string", ids: ["number"] }
 */
export function argShape(value: JsonValue | undefined, depth = 0): JsonValue {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) {
    if (depth >= 5) return "array";
    const kinds = new Map<string, JsonValue>();
    for (const v of value.slice(0, 50)) {
      const s = argShape(v, depth + 1);
      kinds.set(JSON.stringify(s), s);
    }
    return [...kinds.values()];
  }
  if (typeof value === "object") {
    if (depth >= 5) return "object";
    // No prototype, so a `__proto__` key is recorded as a key instead of re-parenting the object.
    const out = Object.create(null) as { [k: string]: JsonValue };
    for (const k of Object.keys(value).slice(0, 50)) out[k.slice(0, 64)] = argShape(value[k], depth + 1);
    return out;
  }
  return typeof value;
}
