/**
 * @module
 * CEL's `matches()` on a linear-time engine. @marcbachmann/cel-js implements `matches` with
 * JavaScript's backtracking RegExp, and both the subject (tool arguments) and, when a rule reads it
 * from `args`, the pattern are agent-controlled — `(a+)+$` on a long input would pin the isolate.
 * The library has no way to replace a built-in overload, so {@link useRe2Matches} renames every
 * `matches` call in a parsed rule's AST (calls only: string literals are untouched) to
 * `re2Matches`, registered here with RE2 semantics (re2js): no backreferences or lookarounds, and
 * matching time linear in the input. Inputs past {@link MAX_MATCH_INPUT} characters are refused.
 */
import { RE2JS } from "re2js";

/** Per-call input budget: a longer subject makes the call's rule error, so the call is denied. */
export const MAX_MATCH_INPUT = 64 * 1024;
const MAX_CACHED = 256;
const cache = new Map<string, RE2JS>();

export class RegexRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegexRefused";
  }
}

/**
 * Compiles a pattern with RE2 semantics, or throws RegexRefused naming it.
 * @example compileRe2("(a)\\1") // throws: backreferences are not RE2
 */
export function compileRe2(pattern: string, flags = 0): RE2JS {
  const key = `${flags}:${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, flags);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new RegexRefused(`pattern ${JSON.stringify(pattern.slice(0, 200))} is not a valid RE2 expression: ${why}`);
  }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(key, re);
  return re;
}

/** CEL `s.matches(p)`: true when `p` matches anywhere in `s` (RE2 PartialMatch). */
export function re2Matches(subject: string, pattern: string): boolean {
  if (subject.length > MAX_MATCH_INPUT) throw new RegexRefused(`matches(): input longer than ${MAX_MATCH_INPUT} characters`);
  return compileRe2(pattern).matcher(subject).find();
}

interface AstNode {
  op?: string;
  args?: unknown;
}

/**
 * Renames `matches` calls to `re2Matches` in place and returns the literal patterns seen, so the
 * caller can refuse a rule whose pattern RE2 cannot compile when the rule is written.
 */
export function useRe2Matches(ast: unknown): string[] {
  const literals: string[] = [];
  const walk = (n: unknown, depth: number): void => {
    if (depth > 500 || !n || typeof n !== "object") return;
    if (Array.isArray(n)) {
      for (const c of n) walk(c, depth + 1);
      return;
    }
    const node = n as AstNode;
    if ((node.op === "rcall" || node.op === "call") && Array.isArray(node.args) && node.args[0] === "matches") {
      node.args[0] = "re2Matches";
      const params = (node.op === "rcall" ? node.args[2] : node.args[1]) as AstNode[] | undefined;
      const pattern = params?.[params.length - 1] as { op?: string; args?: unknown } | undefined;
      if (pattern?.op === "value" && typeof pattern.args === "string") literals.push(pattern.args);
    }
    walk(node.args, depth + 1);
  };
  walk(ast, 0);
  return literals;
}
