/**
 * @module
 * Micro-benchmark of what one MCP `tools/call` pays for authorization: CEL rules with the SQL
 * parser (`sqlTables`), RE2 `matches`, e-mail and path helpers. Prints µs/op; never asserts time.
 * Run: `node scripts/bench-agent-policy.mjs` (kept out of `npm test`, which asserts behaviour only).
 */
import { authorize, compilePolicy, type Args } from "./policy";

const policy = compilePolicy("bot", 1, [
  { server: "db", tool: "query_db", when: "args.table in ['orders','products'] && !args.sql.contains(';') && sqlTables(args.sql).all(t, t in ['orders','products'])" },
  { server: "mail", tool: "send_email", when: "args.to.all(a, emailDomain(a) == 'acme.com')" },
  { server: "fs", tool: "read_file", when: "isCleanPath(args.path) && args.path.matches('^/data/[a-z0-9_/.-]+$')" },
  { server: "pay", tool: "refund", when: "args.amount <= 100" },
]);

const CASES: Array<{ case: string; server: string; tool: string; args: Args }> = [
  { case: "sql (repeated)", server: "db", tool: "query_db", args: { table: "orders", sql: "select id, total from orders where id = 42" } },
  { case: "email domains", server: "mail", tool: "send_email", args: { to: ["a@acme.com", "b@acme.com"] } },
  { case: "path (re2)", server: "fs", tool: "read_file", args: { path: "/data/reports/q3.csv" } },
  { case: "numeric ceiling", server: "pay", tool: "refund", args: { amount: 42 } },
];

/** @example runPolicyBench(10_000).forEach((r) => console.log(r)) */
export function runPolicyBench(iterations: number): Array<{ case: string; usPerOp: number }> {
  const cases = CASES.map((c) => {
    for (let i = 0; i < Math.min(500, iterations); i++) authorize(policy, c.server, c.tool, c.args);
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) {
      if (!authorize(policy, c.server, c.tool, c.args).allowed) throw new Error(`bench case ${c.case} was denied`);
    }
    return { case: c.case, usPerOp: ((performance.now() - t0) * 1000) / iterations };
  });
  // Then a distinct statement per call (after warm-up): the parser's cost without the answer cache.
  const fresh = Math.min(iterations, 2000);
  const t0 = performance.now();
  for (let i = 0; i < fresh; i++) {
    const args = { table: "orders", sql: `select id, total from orders where id = ${i + 1_000_000}` };
    if (!authorize(policy, "db", "query_db", args).allowed) throw new Error("bench case sql (uncached) was denied");
  }
  const uncached = { case: "sql (uncached)", usPerOp: ((performance.now() - t0) * 1000) / fresh };
  return [uncached, ...cases];
}
