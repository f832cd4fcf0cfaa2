/**
 * @module
 * The evaluator contract: one folder per evaluator, each exporting an {@link Evaluator} whose
 * zod `config` parses its check (`{"type": ..., ...}`) and whose `evaluate` turns one model
 * answer into a {@link Verdict}. Evaluators that need a model (embedding similarity, the LLM
 * judge) get it through {@link EvaluatorDeps}, which the consumer wires to the gateway's own
 * pipeline, so they are testable with plain functions.
 */
import type { z } from "zod";

/** What an evaluator scores: the model's answer to one example (or one production sample). */
export interface EvalSubject {
  /** The assistant's text answer ("" when it answered with tool calls only). */
  output: string;
  /** The example's `expected` value, if any. */
  expected?: unknown;
  /** The prompt as sent (chat messages), for judges that need it. */
  messages: ReadonlyArray<{ role: string; content?: unknown }>;
}

export interface Verdict {
  pass: boolean;
  /** 0–1; binary evaluators give 0 or 1. */
  score: number;
  /** One line saying why, for people reading a run. */
  reason: string;
  /** Extra facts kept with the result (a judge's verdict and reasoning). */
  detail?: Record<string, unknown>;
}

/** A call to the LLM judge: its own workload, model and rubric. */
export interface JudgeCall {
  model?: string;
  system: string;
  user: string;
}

/** Model-backed helpers, wired to the gateway pipeline by the eval consumer. */
export interface EvaluatorDeps {
  /** Embeds texts through the gateway's embeddings path; one vector per text. */
  embed(model: string, texts: string[]): Promise<number[][]>;
  /** Calls the judge through the gateway's chat path; resolves to the judge's raw text. */
  judge(call: JudgeCall): Promise<string>;
}

export interface Evaluator<C extends { type: string }> {
  type: C["type"];
  config: z.ZodType<C>;
  evaluate(subject: EvalSubject, config: C, deps: EvaluatorDeps): Promise<Verdict>;
}

/** A verdict from a boolean, for the binary evaluators. */
export function binary(pass: boolean, reason: string): Verdict {
  return { pass, score: pass ? 1 : 0, reason };
}

/** The value to compare against: the check's own `value`, else the example's `expected`. */
export function target(value: unknown, subject: EvalSubject): unknown {
  return value !== undefined ? value : subject.expected;
}
