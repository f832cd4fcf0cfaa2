/**
 * @module
 * `exact`: the answer equals the expected text (trimmed; case-insensitive when asked).
 */
import { z } from "zod";
import { binary, target, type Evaluator } from "../types";

export const ExactCheck = z
  .object({ type: z.literal("exact"), value: z.string().max(100_000).optional(), case_insensitive: z.boolean().optional() })
  .strict();
export type ExactCheck = z.infer<typeof ExactCheck>;

/** @example await exact.evaluate({ output: "Paris", messages: [] }, { type: "exact", value: "paris", case_insensitive: true }, deps) */
export const exact: Evaluator<ExactCheck> = {
  type: "exact",
  config: ExactCheck,
  async evaluate(subject, check) {
    const want = target(check.value, subject);
    if (typeof want !== "string") return binary(false, "no expected text to compare with");
    const norm = (s: string) => (check.case_insensitive ? s.trim().toLowerCase() : s.trim());
    const pass = norm(subject.output) === norm(want);
    return binary(pass, pass ? "answer equals the expected text" : "answer differs from the expected text");
  },
};
