/**
 * @module
 * Test helpers for evaluators: a subject builder and deps whose models are plain functions.
 */
import { simulatedEmbedding } from "../../providers/simulated/generate";
import type { EvaluatorDeps, EvalSubject } from "./types";

export function subject(output: string, expected?: unknown): EvalSubject {
  return { output, expected, messages: [{ role: "user", content: "question" }] };
}

/** Deps with the simulated provider's embedding and a judge that answers `judgeAnswer`. */
export function fakeDeps(judgeAnswer: string | (() => Promise<string>) = '{"score":1,"verdict":"pass","reasoning":"ok"}'): EvaluatorDeps {
  return {
    embed: async (_model, texts) => texts.map((t) => simulatedEmbedding(t)),
    judge: typeof judgeAnswer === "string" ? async () => judgeAnswer : judgeAnswer,
  };
}
