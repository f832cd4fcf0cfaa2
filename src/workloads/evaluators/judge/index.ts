/**
 * @module
 * `judge`: a model grades the answer against a rubric. The judge is called through the gateway
 * itself under its own workload (own budget, own usage), and its verdict and reasoning are kept
 * with the result. An answer the judge cannot be read from is an error, never a silent pass.
 */
import { z } from "zod";
import type { Evaluator, EvalSubject } from "../types";

export const JudgeCheck = z
  .object({
    type: z.literal("judge"),
    rubric: z.string().min(1).max(10_000),
    /** Catalog chat model for the judge (default: the judge workload's first allowed model). */
    model: z.string().min(1).max(128).optional(),
    pass_threshold: z.number().min(0).max(1).default(0.5),
  })
  .strict();
export type JudgeCheck = z.infer<typeof JudgeCheck>;

export const JUDGE_SYSTEM =
  "You are an evaluation judge. Grade the assistant's answer against the rubric. Reply with JSON only: " +
  '{"score": <number 0..1>, "verdict": "pass" | "fail", "reasoning": "<one or two sentences>"}.';

/** The judge's prompt: the conversation, the answer and the rubric (the expected answer when given). */
export function judgePrompt(subject: EvalSubject, rubric: string): string {
  const convo = subject.messages.map((m) => `${m.role}: ${typeof m.content === "string" ? m.content : JSON.stringify(m.content)}`).join("\n");
  const expected = subject.expected === undefined ? "" : `\n\n[Reference answer]\n${typeof subject.expected === "string" ? subject.expected : JSON.stringify(subject.expected)}`;
  return `[Rubric]\n${rubric}\n\n[Conversation]\n${convo}\n\n[Answer to grade]\n${subject.output}${expected}`;
}

export interface JudgeVerdict {
  score: number;
  verdict: "pass" | "fail";
  reasoning: string;
}

const Parsed = z.object({
  score: z.number().min(0).max(1),
  verdict: z.enum(["pass", "fail"]).optional(),
  reasoning: z.string().max(4_000).default(""),
});

/**
 * Reads the judge's answer: the first JSON object in it. Returns undefined when there is none
 * or it lacks a score in 0–1 (the caller records an error).
 * @example parseJudgeAnswer('{"score":0.9,"verdict":"pass","reasoning":"ok"}')?.verdict === "pass"
 */
export function parseJudgeAnswer(text: string, passThreshold = 0.5): JudgeVerdict | undefined {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text.slice(start, end + 1));
  } catch {
    return undefined;
  }
  const parsed = Parsed.safeParse(raw);
  if (!parsed.success) return undefined;
  const { score, reasoning } = parsed.data;
  return { score, reasoning, verdict: parsed.data.verdict ?? (score >= passThreshold ? "pass" : "fail") };
}

/** Thrown when the judge answered but its verdict cannot be read. */
export class JudgeUnreadable extends Error {}

/** @example await judge.evaluate(subject, { type: "judge", rubric: "Is it polite?", pass_threshold: 0.5 }, deps) */
export const judge: Evaluator<JudgeCheck> = {
  type: "judge",
  config: JudgeCheck,
  async evaluate(subject, check, deps) {
    const text = await deps.judge({ model: check.model, system: JUDGE_SYSTEM, user: judgePrompt(subject, check.rubric) });
    const v = parseJudgeAnswer(text, check.pass_threshold);
    if (!v) throw new JudgeUnreadable(`the judge's answer has no readable verdict: ${text.slice(0, 200)}`);
    const pass = v.verdict === "pass" && v.score >= check.pass_threshold;
    return { pass, score: v.score, reason: `judge: ${v.verdict} (${v.score})`, detail: { judge: v } };
  },
};
