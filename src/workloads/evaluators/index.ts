/**
 * @module
 * Every evaluator, by check type, and the `Check` schema datasets and sampling configs use.
 * Adding an evaluator means adding a folder and one line here.
 */
import { z } from "zod";
import { ContainsCheck, contains } from "./contains";
import { EmbeddingCheck, embedding } from "./embedding";
import { ExactCheck, exact } from "./exact";
import { JsonSchemaCheck, jsonSchema } from "./json-schema";
import { JudgeCheck, judge } from "./judge";
import { NumericCheck, numeric } from "./numeric";
import { RegexCheck, regex } from "./regex";
import type { Evaluator, EvaluatorDeps, EvalSubject, Verdict } from "./types";

export const Check = z.discriminatedUnion("type", [ExactCheck, ContainsCheck, RegexCheck, JsonSchemaCheck, NumericCheck, EmbeddingCheck, JudgeCheck]);
export type Check = z.infer<typeof Check>;

type ByType = { [K in Check["type"]]: Evaluator<Extract<Check, { type: K }>> };

/** A full record: a check type without an evaluator fails to compile. */
export const evaluators: ByType = {
  exact, contains, regex, json_schema: jsonSchema, numeric, embedding, judge,
};

export interface CheckResult extends Verdict {
  type: Check["type"];
  /** Set when the evaluator itself failed (judge unreachable or unreadable). */
  error?: string;
}

/**
 * Runs every check on one answer. An evaluator that throws gives an `error` result (never a
 * pass); the others still run.
 * @example const results = await runChecks(subject, [{ type: "contains", value: "hi" }], deps)
 */
export async function runChecks(subject: EvalSubject, checks: readonly Check[], deps: EvaluatorDeps): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const check of checks) {
    const evaluator = evaluators[check.type] as Evaluator<Check>;
    try {
      out.push({ type: check.type, ...(await evaluator.evaluate(subject, check, deps)) });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      out.push({ type: check.type, pass: false, score: 0, reason: `evaluator failed: ${message}`, error: message.slice(0, 500) });
    }
  }
  return out;
}

/** Pass when every check passed; error when any evaluator failed; the score is the mean. */
export function combine(results: readonly CheckResult[]): { status: "pass" | "fail" | "error"; score: number } {
  if (results.length === 0) return { status: "pass", score: 1 };
  const score = results.reduce((s, r) => s + r.score, 0) / results.length;
  if (results.some((r) => r.error)) return { status: "error", score };
  return { status: results.every((r) => r.pass) ? "pass" : "fail", score };
}

export type { EvalSubject, EvaluatorDeps, Verdict } from "./types";
