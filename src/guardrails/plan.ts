/**
 * @module
 * What a request asks of the TeamBudget ledger, decided from the policy bundle alone: which scopes
 * it touches with which limits, and its worst-case cost and tokens. Pure, so the reservation a
 * request makes is unit-tested without a Durable Object.
 */
import type { TeamPolicy, WorkloadPolicy } from "../config/bundle";
import { costNusd, usdToNusd } from "../config/money";
import type { Price } from "../config/schemas";
import type { ScopeLimits } from "./ledger";
import type { BudgetPeriod } from "./period";

/** Output tokens assumed when neither the request nor the workload bounds them. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

/**
 * Longest a reservation lives without a settle before the DO alarm releases it. Longer than any
 * attempt chain plus a long stream; a settle that arrives later still charges the actual cost.
 */
export const RESERVATION_TTL_MS = 15 * 60_000;

/**
 * A deliberately generous prompt-token bound that costs nothing to compute on the hot path (the
 * real tokenizer runs only after the response). BPE tokenizers average ~4 characters a token on
 * prose; 3 plus per-message framing over-estimates, which is the safe direction for a budget.
 * @example promptTokenBound("hello world", 1) === 8
 */
export function promptTokenBound(text: string, messages: number): number {
  return Math.ceil(text.length / 3) + 4 * messages;
}

/** The output bound: request max_completion_tokens / max_tokens, else the workload default, else a constant. */
export function maxOutputTokens(requested: number | null | undefined, workload: Pick<WorkloadPolicy, "default_max_tokens">): number {
  return requested ?? workload.default_max_tokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
}

/**
 * @example worstCase({ input_per_mtok: 1, output_per_mtok: 2 }, 100, 50) // { costNusd: 200_000, tokens: 150 }
 */
export function worstCase(price: Price, promptTokens: number, outputTokens: number): { costNusd: number; tokens: number } {
  return { costNusd: costNusd(price, promptTokens, outputTokens), tokens: promptTokens + outputTokens };
}

/** The team's budget period (monthly unless the team says otherwise). */
export function teamPeriod(team: TeamPolicy): BudgetPeriod {
  return team.budget_period ?? "monthly";
}

/**
 * The scopes a request is checked against: always the team, plus the workload and the key when
 * the workload sets limits for them.
 * @example guardrailScopes(team, workload, "key_1")[0].key === "team"
 */
export function guardrailScopes(team: TeamPolicy, workload: WorkloadPolicy, keyId: string): ScopeLimits[] {
  const scopes: ScopeLimits[] = [{ key: "team", budgetNusd: team.budgetNusd, rpm: team.rpm, tpm: team.tpm }];
  const l = workload.limits;
  if (l && (l.budget_usd !== undefined || l.rpm !== undefined || l.tpm !== undefined)) {
    scopes.push(limitScope(`workload:${workload.id}`, l));
  }
  const k = l?.per_key;
  if (k && (k.budget_usd !== undefined || k.rpm !== undefined || k.tpm !== undefined)) scopes.push(limitScope(`key:${keyId}`, k));
  return scopes;
}

function limitScope(key: string, l: { budget_usd?: number; rpm?: number; tpm?: number }): ScopeLimits {
  return {
    key,
    ...(l.budget_usd !== undefined ? { budgetNusd: usdToNusd(l.budget_usd) } : {}),
    ...(l.rpm !== undefined ? { rpm: l.rpm } : {}),
    ...(l.tpm !== undefined ? { tpm: l.tpm } : {}),
  };
}
