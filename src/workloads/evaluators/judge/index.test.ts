import { describe, expect, it } from "vitest";
import { fakeDeps, subject } from "../testing";
import { runChecks, combine } from "..";
import { judge, JudgeCheck, judgePrompt, parseJudgeAnswer } from ".";

describe("judge evaluator", () => {
  const check = JudgeCheck.parse({ type: "judge", rubric: "The answer is polite." });
  it("parses a verdict wrapped in prose and derives one from the score", () => {
    expect(parseJudgeAnswer('Sure. {"score":0.9,"verdict":"pass","reasoning":"kind"} done')).toEqual({ score: 0.9, verdict: "pass", reasoning: "kind" });
    expect(parseJudgeAnswer('{"score":0.2}')?.verdict).toBe("fail");
    expect(parseJudgeAnswer("the gateway routes each call")).toBeUndefined();
    expect(parseJudgeAnswer('{"score":7}')).toBeUndefined();
  });
  it("keeps the verdict and reasoning", async () => {
    const v = await judge.evaluate(subject("Thank you!"), check, fakeDeps('{"score":0.8,"verdict":"pass","reasoning":"thanks the user"}'));
    expect(v).toMatchObject({ pass: true, score: 0.8, detail: { judge: { reasoning: "thanks the user" } } });
  });
  it("the prompt carries rubric, conversation, answer and reference", () => {
    const p = judgePrompt(subject("A", "B"), "R");
    expect(p).toContain("[Rubric]\nR");
    expect(p).toContain("user: question");
    expect(p).toContain("[Answer to grade]\nA");
    expect(p).toContain("[Reference answer]\nB");
  });
  it("an unreadable or failing judge is an error, never a pass", async () => {
    const unreadable = await runChecks(subject("x"), [check], fakeDeps("the gateway routes each call"));
    expect(unreadable[0]).toMatchObject({ pass: false, error: expect.stringContaining("no readable verdict") });
    const down = await runChecks(subject("x"), [check, { type: "contains", value: "x" }], fakeDeps(() => Promise.reject(new Error("judge budget exceeded"))));
    expect(down[1].pass).toBe(true);
    expect(combine(down).status).toBe("error");
  });
});
