/**
 * @module
 * The budget/limit stage of the request pipeline: turns a prepared chat or embeddings request
 * into its worst-case reservation. Kept apart from the handlers so chat.ts and embeddings.ts
 * gain two lines each, not a block.
 */
import type { Prepared } from "../gateway/context";
import type { ChatCompletionRequest, EmbeddingsRequest } from "../gateway/schemas";
import { reserveBudget, type GuardDeps, type Reservation } from "./client";
import { maxOutputTokens, promptTokenBound, worstCase } from "./plan";

/** Characters of a chat request's messages, as the prompt bound counts them. */
export function chatPromptChars(body: ChatCompletionRequest): { text: string; messages: number } {
  let text = "";
  for (const m of body.messages) text += typeof m.content === "string" ? m.content : m.content ? JSON.stringify(m.content) : "";
  if (body.tools) text += JSON.stringify(body.tools);
  return { text, messages: body.messages.length };
}

/**
 * Reserves a chat request's worst case: prompt bound + max output, at catalog prices, times the
 * upstream attempts that may run at once (2 when the request may hedge).
 */
export function reserveChat(deps: GuardDeps, p: Prepared<ChatCompletionRequest>, requestId: string, attempts = 1): Promise<Reservation> {
  const { text, messages } = chatPromptChars(p.body);
  const n = p.body.n ?? 1;
  const out = maxOutputTokens(p.body.max_completion_tokens ?? p.body.max_tokens, p.caller.workload) * Math.max(1, n);
  const w = worstCase(p.model.price, promptTokenBound(text, messages), out);
  const worst = { costNusd: w.costNusd * attempts, tokens: w.tokens * attempts };
  return reserveBudget(deps, { requestId, team: p.caller.team, workload: p.caller.workload, keyId: p.caller.key.id, ...worst });
}

/** Reserves an embeddings request: input tokens only. */
export function reserveEmbeddings(deps: GuardDeps, p: Prepared<EmbeddingsRequest>, requestId: string): Promise<Reservation> {
  const input = p.body.input;
  const text = typeof input === "string" ? input : JSON.stringify(input);
  const items = Array.isArray(input) ? input.length : 1;
  const w = worstCase(p.model.price, promptTokenBound(text, items), 0);
  return reserveBudget(deps, { requestId, team: p.caller.team, workload: p.caller.workload, keyId: p.caller.key.id, ...w });
}
