import { describe, expect, it } from "vitest";
import { coverage, DatasetError, parseExamples, reviewDataset } from "./datasets";

const ex = (category: string, text: string, extra: Record<string, unknown> = {}) => ({ input: { messages: [{ role: "user", content: text }] }, category, ...extra });

describe("datasets", () => {
  it("parses JSON arrays, {examples} and JSONL alike, with stable hash ids", async () => {
    const list = [ex("billing", "a"), ex("refunds", "b", { expected: "x", checks: [{ type: "contains", value: "x" }] })];
    const a = await parseExamples(JSON.stringify(list));
    const b = await parseExamples(JSON.stringify({ examples: list }));
    const c = await parseExamples(list.map((e) => JSON.stringify(e)).join("\n"));
    expect(a.map((e) => e.id)).toEqual(b.map((e) => e.id));
    expect(c.map((e) => e.id)).toEqual(a.map((e) => e.id));
    expect(a[0].id).toMatch(/^ex_[0-9a-f]{16}$/);
    expect(a[1].checks).toHaveLength(1);
  });
  it("reports every invalid example by index", async () => {
    const err = await parseExamples(JSON.stringify([ex("", "a"), { input: {}, category: "x" }, ex("ok", "c", { checks: [{ type: "regex", pattern: "(a)\\1" }] })])).catch((e) => e);
    expect(err).toBeInstanceOf(DatasetError);
    const paths = (err as DatasetError).errors.map((e) => e.path);
    expect(paths.some((p) => p.startsWith("examples.0"))).toBe(true);
    expect(paths.some((p) => p.startsWith("examples.1"))).toBe(true);
    expect(paths.some((p) => p.startsWith("examples.2"))).toBe(true);
  });
  it("coverage = declared categories with at least N examples ÷ declared", () => {
    const examples = [...Array(5)].map(() => ({ category: "billing" })).concat([{ category: "refunds" }]);
    expect(coverage(examples, ["billing", "refunds", "outage", "billing"], 5)).toMatchObject({ coverage: 1 / 3, covered: ["billing"], below_quota: ["refunds", "outage"] });
    expect(coverage(examples, undefined, 1).coverage).toBe(1);
  });
  it("quality review: consistent failures on every model, duplicates, categories below quota", async () => {
    const examples = await parseExamples(JSON.stringify([ex("a", "same"), ex("a", "same"), ex("b", "other")]));
    const [e1, e2, e3] = examples.map((e) => e.id);
    const outcomes = [
      { exampleId: e3, model: "m1", status: "fail" as const }, { exampleId: e3, model: "m2", status: "fail" as const },
      { exampleId: e1, model: "m1", status: "fail" as const }, { exampleId: e1, model: "m2", status: "pass" as const },
      { exampleId: e2, model: "m1", status: "fail" as const },
    ];
    const r = reviewDataset(examples, outcomes, coverage(examples, ["a", "b"], 2), "t");
    expect(r.consistently_failing).toEqual([e3]);
    expect(r.duplicates).toEqual([[e1, e2]]);
    expect(r.below_quota).toEqual(["b"]);
  });
});
