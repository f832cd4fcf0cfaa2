import { describe, expect, it } from "vitest";
import { argShape, authorize, compilePolicy, emailDomain, isCleanPath, mayListTool, PolicyCompileError, sqlTables } from "./policy";
import { MAX_MATCH_INPUT } from "./re2-matches";

const policy = compilePolicy("bot", 1, [
  { server: "db", tool: "query_db", when: "args.table in ['orders','products'] && !args.sql.contains(';') && sqlTables(args.sql).all(t, t in ['orders','products']) && args.all(k, k in ['table','sql'])" },
  { server: "mail", tool: "send_email", when: "args.to.all(a, emailDomain(a) == 'acme.com')" },
  { server: "fs", tool: "read_file", when: "isCleanPath(args.path) && args.path.startsWith('/data/')" },
  { server: "pay", tool: "refund", when: "args.amount <= 100" },
  { server: "pay", tool: "ping" },
]);

describe("authorize", () => {
  it("allows a call inside the rule", () => {
    expect(authorize(policy, "db", "query_db", { table: "orders", sql: "select * from orders" })).toEqual({ allowed: true, grant: 0 });
    expect(authorize(policy, "pay", "ping", {}).allowed).toBe(true);
  });

  it("denies tools without a grant, naming that", () => {
    const d = authorize(policy, "db", "drop_db", {});
    expect(d).toMatchObject({ allowed: false, reason: "no_grant" });
    expect(authorize(policy, "other", "query_db", { table: "orders", sql: "" }).allowed).toBe(false);
  });

  it("denies case tricks and unicode look-alikes in table names", () => {
    expect(authorize(policy, "db", "query_db", { table: "ORDERS", sql: "select 1 from orders" }).allowed).toBe(false);
    // Cyrillic "о" (U+043E) instead of Latin "o".
    expect(authorize(policy, "db", "query_db", { table: "\u043erders", sql: "select 1 from orders" }).allowed).toBe(false);
    expect(authorize(policy, "db", "query_db", { table: "orders", sql: "select * from \u043erders" }).allowed).toBe(false);
    // Full-width letters.
    expect(authorize(policy, "db", "query_db", { table: "ｏrders", sql: "select 1 from orders" }).allowed).toBe(false);
  });

  it("denies a query touching another table than the one declared", () => {
    const d = authorize(policy, "db", "query_db", { table: "orders", sql: "select * from orders join users on true" });
    expect(d).toMatchObject({ allowed: false, reason: "rule_failed" });
    if (!d.allowed) expect(d.rule).toContain("sqlTables");
    expect(authorize(policy, "db", "query_db", { table: "orders", sql: "select 1 from orders; drop table users" }).allowed).toBe(false);
    expect(authorize(policy, "db", "query_db", { table: "orders", sql: 'select * from "Users"' }).allowed).toBe(false);
  });

  it("denies nested argument smuggling and unexpected keys", () => {
    expect(authorize(policy, "db", "query_db", { table: "orders", sql: "select 1 from orders", options: { table: "users" } }).allowed).toBe(false);
    expect(authorize(policy, "db", "query_db", { table: ["orders", "users"], sql: "select 1 from orders" } as never).allowed).toBe(false);
    expect(authorize(policy, "db", "query_db", { table: { $eq: "orders" }, sql: "x" } as never).allowed).toBe(false);
  });

  it("fails closed on missing keys and type errors", () => {
    const d = authorize(policy, "db", "query_db", { table: "orders" });
    expect(d).toMatchObject({ allowed: false, reason: "rule_failed" });
    expect(authorize(policy, "pay", "refund", { amount: "50" }).allowed).toBe(false);
  });

  it("checks recipient domains, path prefixes and numeric ceilings", () => {
    expect(authorize(policy, "mail", "send_email", { to: ["a@acme.com", "B@ACME.COM"] }).allowed).toBe(true);
    expect(authorize(policy, "mail", "send_email", { to: ["a@acme.com", "x@evil.com"] }).allowed).toBe(false);
    expect(authorize(policy, "mail", "send_email", { to: ["x@evil.com@acme.com"] }).allowed).toBe(false);
    expect(authorize(policy, "mail", "send_email", { to: ['"x@evil.com"@acme.com'] }).allowed).toBe(false);
    expect(authorize(policy, "mail", "send_email", { to: ["a@acme.com.evil.com"] }).allowed).toBe(false);
    expect(authorize(policy, "fs", "read_file", { path: "/data/report.csv" }).allowed).toBe(true);
    expect(authorize(policy, "fs", "read_file", { path: "/data/../etc/passwd" }).allowed).toBe(false);
    expect(authorize(policy, "fs", "read_file", { path: "/data/%2e%2e/etc/passwd" }).allowed).toBe(false);
    expect(authorize(policy, "fs", "read_file", { path: "/etc/passwd" }).allowed).toBe(false);
    expect(authorize(policy, "pay", "refund", { amount: 100 }).allowed).toBe(true);
    expect(authorize(policy, "pay", "refund", { amount: 100.01 }).allowed).toBe(false);
    expect(authorize(policy, "pay", "refund", { amount: 1e309 }).allowed).toBe(false);
  });

  it("treats grants for the same tool as alternatives", () => {
    const p = compilePolicy("x", 1, [
      { server: "db", tool: "q", when: "args.t == 'a'" },
      { server: "db", tool: "q", when: "args.t == 'b'" },
    ]);
    expect(authorize(p, "db", "q", { t: "b" })).toEqual({ allowed: true, grant: 1 });
    expect(authorize(p, "db", "q", { t: "c" }).allowed).toBe(false);
  });

  it("lists only granted tools; * grants every tool of a server", () => {
    expect(mayListTool(policy, "db", "query_db")).toBe(true);
    expect(mayListTool(policy, "db", "admin_shell")).toBe(false);
    expect(mayListTool(compilePolicy("y", 1, [{ server: "db", tool: "*" }]), "db", "anything")).toBe(true);
  });
});

describe("compilePolicy", () => {
  it("refuses rules that do not parse or are not bool", () => {
    expect(() => compilePolicy("x", 1, [{ server: "s", tool: "t", when: "args.a ==" }])).toThrow(PolicyCompileError);
    expect(() => compilePolicy("x", 1, [{ server: "s", tool: "t", when: "1 + 2" }])).toThrow(/bool/);
    expect(() => compilePolicy("x", 1, [{ server: "s", tool: "t", when: "nosuchvar == 1" }])).toThrow(PolicyCompileError);
  });
});

describe("helpers", () => {
  it("extracts tables, domains, clean paths", () => {
    expect(sqlTables('select * from Orders o join "Items" i on o.id = i.id join public.x on true cross join y')).toEqual(["orders", "Items", "public.x", "y"]);
    expect(emailDomain("Bob@Acme.COM")).toBe("acme.com");
    expect(emailDomain("a@b@c")).toBe("");
    expect(isCleanPath("/a/./b")).toBe(false);
    expect(isCleanPath("/a/b")).toBe(true);
  });

  it("argShape keeps keys and types, never values", () => {
    const shape = argShape({ table: "secret-orders", n: 3, nested: { to: ["x@y.z"] }, nil: null, ["__proto__"]: { evil: true } } as never);
    expect(JSON.stringify(shape)).not.toContain("secret");
    expect(JSON.stringify(shape)).not.toContain("x@y.z");
    expect(shape).toMatchObject({ table: "string", n: "number", nested: { to: ["string"] }, nil: "null" });
  });
});

describe("sqlTables (a real SQL parser, failing closed)", () => {
  const tablesOf = (sql: string) => sqlTables(sql).sort();

  it("finds tables hidden from keyword scanning", () => {
    expect(tablesOf("select * from/**/users")).toEqual(["users"]);
    expect(tablesOf('select * from"users"')).toEqual(["users"]);
    expect(tablesOf("select * from orders, users")).toEqual(["orders", "users"]);
    expect(tablesOf("select * from orders natural join(users)")).toEqual(["orders", "users"]);
    expect(tablesOf("select * from orders where id in (select id from users)")).toEqual(["orders", "users"]);
    expect(tablesOf("with t as (select * from users) select * from t")).toEqual(["t", "users"]);
    expect(tablesOf("select 1 from orders union select 1 from users")).toEqual(["orders", "users"]);
    expect(tablesOf("update orders set x = (select y from users)")).toEqual(["orders", "users"]);
    expect(tablesOf("select 1 from orders; drop table users")).toEqual(["orders", "users"]);
    expect(tablesOf("select * from pg_read_file('/etc/passwd')")).toEqual(["pg_read_file()"]);
  });

  it("folds unquoted names as the database does and keeps quoted ones", () => {
    expect(sqlTables("select * from PUBLIC.Orders")).toEqual(["public.orders"]);
    expect(sqlTables('select * from "Users"')).toEqual(["Users"]);
  });

  it("throws on what it cannot parse or reads ambiguously", () => {
    expect(() => sqlTables("garbage ((( x")).toThrow(/unbalanced/);
    expect(() => sqlTables("garbage ( x )")).toThrow(/does not parse/);
    expect(() => sqlTables("select * from \u043erders")).toThrow(/does not parse/);
    expect(() => sqlTables("select * from orders join x on true, users")).toThrow(/ambiguous/);
    expect(() => sqlTables("select 1 from orders where " + "x".repeat(5_000))).toThrow(/longer than/);
  });

  it("refuses what the parser and PostgreSQL read differently, before parsing", () => {
    // The parser reads \\' as an escaped quote; PostgreSQL ends the string there and runs the union.
    expect(() => sqlTables("select * from orders where a = '\\' union select * from users --'")).toThrow(/backslash/);
    expect(() => sqlTables("select E'\\' from users --'")).toThrow(/prefixed/);
    expect(() => sqlTables("select $$ from users $$")).toThrow(/dollar/);
    expect(() => sqlTables("select U&'\\0041' from orders")).toThrow();
    expect(() => sqlTables("select 1 from orders /* /* */ , users */")).toThrow(/nested/);
    expect(() => sqlTables("select 1 from orders # users")).toThrow(/#/);
    expect(sqlTables("select 'it''s' from orders where id = $1")).toEqual(["orders"]);
  });

  it("refuses deep or unbalanced nesting before the parser can take exponential time on it", () => {
    expect(() => sqlTables("select " + "(".repeat(12))).toThrow(/parentheses/);
    expect(() => sqlTables("select * from orders where " + "(".repeat(20) + "1 +" + ")".repeat(20))).toThrow(/deeper than/);
    expect(() => sqlTables("select 1 --\r" + "(".repeat(5))).toThrow(/unbalanced/);
    expect(() => sqlTables("select * from t where a = 'unterminated")).toThrow(/unterminated/);
    expect(sqlTables("select * from orders where id in (select id from (select id from orders) x)")).toEqual(["orders"]);
  });

  it("makes the rule deny every bypass, including SQL it cannot parse", () => {
    for (const sql of ["select * from/**/users", 'select * from"users"', "select * from orders, users", "select * from orders natural join(users)",
      "select * from orders where id in (select id from users)", "with t as (select * from users) select * from orders",
      "select 1 from orders union select 1 from users", "garbage ((( x", "select * from orders join x on true, users",
      "select * from orders where a = '\\' union select * from users --'"]) {
      expect(authorize(policy, "db", "query_db", { table: "orders", sql }).allowed, sql).toBe(false);
    }
    expect(authorize(policy, "db", "query_db", { table: "orders", sql: "select o.id from orders o where o.total > 5" }).allowed).toBe(true);
  });
});

describe("matches() on RE2", () => {
  const re = compilePolicy("r", 1, [
    { server: "s", tool: "nested", when: "args.v.matches('(a+)+$')" },
    { server: "s", tool: "alt", when: "matches(args.v, '^(a|aa)+$')" },
    { server: "s", tool: "dyn", when: "args.v.matches(args.p)" },
    { server: "s", tool: "lit", when: "args.v == '.matches(' " },
  ]);

  it("answers catastrophic patterns on long inputs correctly (linear time, no backtracking)", () => {
    const evil = "a".repeat(50_000) + "!";
    expect(authorize(re, "s", "nested", { v: evil }).allowed).toBe(false);
    expect(authorize(re, "s", "nested", { v: "xa" }).allowed).toBe(true);
    expect(authorize(re, "s", "alt", { v: evil }).allowed).toBe(false);
    expect(authorize(re, "s", "alt", { v: "a".repeat(50_000) }).allowed).toBe(true);
    expect(authorize(re, "s", "dyn", { v: evil, p: "^(a|a?)+$" }).allowed).toBe(false);
    expect(authorize(re, "s", "dyn", { v: "aaa", p: "^(a|a?)+$" }).allowed).toBe(true);
  });

  it("leaves string literals alone and denies over-long inputs and non-RE2 patterns at call time", () => {
    expect(authorize(re, "s", "lit", { v: ".matches(" }).allowed).toBe(true);
    expect(authorize(re, "s", "dyn", { v: "a".repeat(MAX_MATCH_INPUT + 1), p: "a" })).toMatchObject({ allowed: false, reason: "rule_failed" });
    expect(authorize(re, "s", "dyn", { v: "aa", p: "(a)\\1" })).toMatchObject({ allowed: false, detail: expect.stringMatching(/RE2/) });
  });

  it("refuses literal patterns RE2 cannot compile when the rule is written, naming the pattern", () => {
    for (const p of ["(a)\\\\1", "(?=a)a", "(?<=a)b", "(?!x)y"]) {
      expect(() => compilePolicy("x", 1, [{ server: "s", tool: "t", when: `args.v.matches('${p}')` }]), p).toThrow(/not a valid RE2 expression/);
    }
  });
});
