/**
 * @module
 * `json_schema`: the answer is JSON valid against a JSON Schema (draft 2020-12), checked with
 * @cfworker/json-schema (a maintained validator that runs on Workers without code generation).
 */
import { Validator, type Schema } from "@cfworker/json-schema";
import { z } from "zod";
import { binary, type Evaluator } from "../types";

export const JsonSchemaCheck = z
  .object({ type: z.literal("json_schema"), schema: z.record(z.string(), z.unknown()) })
  .strict();
export type JsonSchemaCheck = z.infer<typeof JsonSchemaCheck>;

/** Answers often wrap JSON in a ```json fence; the fence is not part of the answer's data. */
function unfence(text: string): string {
  const m = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/i.exec(text);
  return m ? m[1] : text;
}

/** @example await jsonSchema.evaluate({ output: '{"a":1}', messages: [] }, { type: "json_schema", schema: { type: "object" } }, deps) */
export const jsonSchema: Evaluator<JsonSchemaCheck> = {
  type: "json_schema",
  config: JsonSchemaCheck,
  async evaluate(subject, check) {
    let value: unknown;
    try {
      value = JSON.parse(unfence(subject.output));
    } catch {
      return binary(false, "answer is not JSON");
    }
    const result = new Validator(check.schema as Schema, "2020-12", false).validate(value);
    if (result.valid) return binary(true, "answer matches the schema");
    const first = result.errors.at(-1);
    return { ...binary(false, `schema violation at ${first?.instanceLocation ?? "#"}: ${first?.error ?? "invalid"}`), detail: { errors: result.errors.slice(0, 5) } };
  },
};
