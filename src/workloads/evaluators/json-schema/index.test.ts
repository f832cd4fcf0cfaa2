import { describe, expect, it } from "vitest";
import { fakeDeps, subject } from "../testing";
import { jsonSchema } from ".";

const schema = { type: "object", required: ["name", "age"], properties: { name: { type: "string" }, age: { type: "integer", minimum: 0 } } };

describe("json_schema evaluator", () => {
  const d = fakeDeps();
  it("passes valid JSON, fenced or not", async () => {
    expect((await jsonSchema.evaluate(subject('{"name":"Ann","age":3}'), { type: "json_schema", schema }, d)).pass).toBe(true);
    expect((await jsonSchema.evaluate(subject('```json\n{"name":"Ann","age":3}\n```'), { type: "json_schema", schema }, d)).pass).toBe(true);
  });
  it("fails a schema violation and says where", async () => {
    const v = await jsonSchema.evaluate(subject('{"name":"Ann","age":-1}'), { type: "json_schema", schema }, d);
    expect(v.pass).toBe(false);
    expect(v.reason).toContain("/age");
  });
  it("fails text that is not JSON", async () => {
    expect((await jsonSchema.evaluate(subject("Ann is 3"), { type: "json_schema", schema }, d)).reason).toBe("answer is not JSON");
  });
});
