/**
 * @module
 * Money is integer nano-dollars (1e-9 USD) everywhere inside Switchyard, so sums and budget
 * checks are exact; dollars appear only at the API edges.
 */
import type { Price } from "./schemas";

export const NUSD_PER_USD = 1_000_000_000;

/** @example usdToNusd(1.5) === 1_500_000_000 */
export function usdToNusd(usd: number): number {
  return Math.round(usd * NUSD_PER_USD);
}

/** @example nusdToUsd(1_500_000_000) === 1.5 */
export function nusdToUsd(nusd: number): number {
  return nusd / NUSD_PER_USD;
}

/**
 * Cost of a call from catalog prices (USD per million tokens).
 * @example costNusd({ input_per_mtok: 2.5, output_per_mtok: 10 }, 1000, 100) === 3_500_000
 */
export function costNusd(price: Price, tokensIn: number, tokensOut: number): number {
  return Math.round(tokensIn * price.input_per_mtok * 1000 + tokensOut * price.output_per_mtok * 1000);
}
