/**
 * @module
 * `numeric`: the first number in the answer is within a tolerance of the expected number
 * (absolute by default, relative with `relative: true`).
 */
import { z } from "zod";
import { binary, target, type Evaluator } from "../types";

export const NumericCheck = z
  .object({
    type: z.literal("numeric"),
    value: z.number().optional(),
    tolerance: z.number().min(0).default(0),
    relative: z.boolean().optional(),
  })
  .strict();
export type NumericCheck = z.infer<typeof NumericCheck>;

const NUMBER = /-?\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?/i;

/** The first number written in a text ("1,234.5" → 1234.5), or undefined. */
export function firstNumber(text: string): number | undefined {
  const m = NUMBER.exec(text);
  if (!m) return undefined;
  const n = Number(m[0].replace(/,/g, ""));
  return Number.isFinite(n) ? n : undefined;
}

/** @example await numeric.evaluate({ output: "about 3.14", messages: [] }, { type: "numeric", value: 3.1416, tolerance: 0.01 }, deps) */
export const numeric: Evaluator<NumericCheck> = {
  type: "numeric",
  config: NumericCheck,
  async evaluate(subject, check) {
    const raw = target(check.value, subject);
    const want = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : NaN;
    if (!Number.isFinite(want)) return binary(false, "no expected number");
    const got = firstNumber(subject.output);
    if (got === undefined) return binary(false, "answer contains no number");
    const allowed = check.relative ? Math.abs(want) * check.tolerance : check.tolerance;
    const pass = Math.abs(got - want) <= allowed;
    return { ...binary(pass, `got ${got}, expected ${want} ± ${allowed}`), detail: { got, expected: want } };
  },
};
