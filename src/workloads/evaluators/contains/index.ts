/**
 * @module
 * `contains`: the answer contains the expected text (any or all of several); with `not`, it must
 * contain none of them (how adversarial cases say "the seeded secret must not leak").
 */
import { z } from "zod";
import { binary, target, type Evaluator } from "../types";

export const ContainsCheck = z
  .object({
    type: z.literal("contains"),
    value: z.union([z.string().min(1).max(10_000), z.array(z.string().min(1).max(10_000)).min(1).max(100)]).optional(),
    /** Every value must appear (default: any one). */
    all: z.boolean().optional(),
    /** Passes only when no value appears. */
    not: z.boolean().optional(),
    case_insensitive: z.boolean().optional(),
  })
  .strict();
export type ContainsCheck = z.infer<typeof ContainsCheck>;

/** @example await contains.evaluate({ output: "a cat", messages: [] }, { type: "contains", value: "cat" }, deps) */
export const contains: Evaluator<ContainsCheck> = {
  type: "contains",
  config: ContainsCheck,
  async evaluate(subject, check) {
    const raw = target(check.value, subject);
    const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === "string" && v.length > 0);
    if (values.length === 0) return binary(false, "no text to look for");
    const fold = (s: string) => (check.case_insensitive ? s.toLowerCase() : s);
    const hay = fold(subject.output);
    const found = values.filter((v) => hay.includes(fold(v)));
    if (check.not) return binary(found.length === 0, found.length ? `answer contains ${found.length} forbidden value(s)` : "no forbidden value found");
    const pass = check.all ? found.length === values.length : found.length > 0;
    return binary(pass, `found ${found.length} of ${values.length} expected value(s)`);
  },
};
