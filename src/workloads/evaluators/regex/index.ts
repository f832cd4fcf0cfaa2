/**
 * @module
 * `regex`: the answer matches a pattern. Patterns run on RE2 (re2js): linear time, so a
 * dataset author cannot write a pattern that hangs the evaluator on a long answer.
 */
import { RE2JS } from "re2js";
import { z } from "zod";
import { binary, type Evaluator } from "../types";

/** Compiles a pattern, or says why it does not compile (used to validate checks on upload). */
export function compilePattern(pattern: string, caseInsensitive = false): RE2JS {
  return RE2JS.compile(pattern, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
}

export const RegexCheck = z
  .object({
    type: z.literal("regex"),
    pattern: z.string().min(1).max(2_000).refine((p) => {
      try {
        compilePattern(p);
        return true;
      } catch {
        return false;
      }
    }, "not a valid RE2 pattern"),
    case_insensitive: z.boolean().optional(),
    /** Passes only when the pattern does not match. */
    not: z.boolean().optional(),
  })
  .strict();
export type RegexCheck = z.infer<typeof RegexCheck>;

/** @example await regex.evaluate({ output: "order 42", messages: [] }, { type: "regex", pattern: "\\d+" }, deps) */
export const regex: Evaluator<RegexCheck> = {
  type: "regex",
  config: RegexCheck,
  async evaluate(subject, check) {
    const found = compilePattern(check.pattern, check.case_insensitive).matcher(subject.output).find();
    const pass = check.not ? !found : found;
    return binary(pass, found ? "pattern matches the answer" : "pattern does not match the answer");
  },
};
