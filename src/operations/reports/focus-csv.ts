/**
 * @module
 * The report attachment: the period's gateway-observed spend in FOCUS 1.2 columns, one row per
 * day × team × workload × model × provider from usage_daily, BilledCost with 9 decimals so the
 * rows sum exactly to GET /admin/v1/usage for the same period. The importer reads it back.
 */
import { addDays } from "../forecast/dates";
import { toCsv } from "../spend/csv";
import { formatUsd } from "../spend/money";

export const FOCUS_COLUMNS = [
  "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "ChargeDescription",
  "BilledCost", "EffectiveCost", "BillingCurrency", "ProviderName", "PublisherName", "InvoiceIssuerName", "ServiceName",
  "ServiceCategory", "ResourceId", "SkuId", "ConsumedQuantity", "ConsumedUnit", "Tags", "x_Requests", "x_TokensIn", "x_TokensOut", "x_CacheHits",
] as const;

export interface DailyRollup {
  day: string;
  team: string;
  workload: string;
  model: string;
  provider: string;
  requests: number;
  cache_hits: number;
  tokens_in: number;
  tokens_out: number;
  cost_nusd: number;
}

/** @example focusCsv({ first: "2026-11-01", last: "2026-11-30" }, rows) */
export function focusCsv(period: { first: string; last: string }, rows: DailyRollup[]): string {
  const periodEnd = `${addDays(period.last, 1)}T00:00:00Z`;
  return toCsv(FOCUS_COLUMNS, rows.map((r) => [
    `${period.first}T00:00:00Z`, periodEnd, `${r.day}T00:00:00Z`, `${addDays(r.day, 1)}T00:00:00Z`, "Usage",
    `${r.model} via ${r.provider} for ${r.workload}`, formatUsd(r.cost_nusd, 9), formatUsd(r.cost_nusd, 9), "USD", r.provider, r.provider,
    "Switchyard (gateway-observed)", r.model, "AI and Machine Learning", r.workload, r.model, r.tokens_in + r.tokens_out, "Tokens",
    JSON.stringify({ team: r.team, workload: r.workload, model: r.model }), r.requests, r.tokens_in, r.tokens_out, r.cache_hits,
  ]));
}

/** @example await loadRollups(env.DB, "2026-11-01", "2026-11-30") */
export async function loadRollups(db: D1Database, first: string, last: string): Promise<DailyRollup[]> {
  const r = await db.prepare(`SELECT day, team, workload, model, provider, requests, cache_hits, tokens_in, tokens_out, cost_nusd FROM usage_daily
    WHERE day >= ? AND day <= ? ORDER BY day, team, workload, model, provider`).bind(first, last).all<DailyRollup>();
  return r.results;
}
