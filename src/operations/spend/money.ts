/**
 * @module
 * Exact decimal money for finance: USD amounts parsed from text digit by digit into integer
 * nano-USD (never through a binary float), and nano-USD rendered as fixed-point strings.
 */
import { NUSD_PER_USD } from "../../config/money";

const DECIMAL = /^(-?)(\d{1,12})(?:\.(\d{1,9}))?$/;

/**
 * Parses "12.345" (up to 9 decimals, no exponent) into nano-USD; null when it is not such a number.
 * @example parseUsdToNusd("12.5") === 12_500_000_000
 */
export function parseUsdToNusd(text: string): number | null {
  const m = DECIMAL.exec(text.trim());
  if (!m) return null;
  const nusd = Number(m[2]) * NUSD_PER_USD + Number((m[3] ?? "").padEnd(9, "0"));
  if (!Number.isSafeInteger(nusd)) return null;
  return m[1] ? -nusd : nusd;
}

/**
 * A JSON number of dollars, through its shortest decimal form (what the client wrote); a number
 * carrying binary noise past the ninth decimal (0.1 + 0.2) is rounded to the nano-dollar.
 * @example usdNumberToNusd(0.1) === 100_000_000
 */
export function usdNumberToNusd(usd: number): number | null {
  if (!Number.isFinite(usd) || Math.abs(usd) >= 1e12) return null;
  return parseUsdToNusd(String(usd)) ?? Math.round(usd * 1e9);
}

/**
 * Fixed-point dollars with `decimals` places, rounded half away from zero on the integer.
 * @example formatUsd(1_234_567_891, 2) === "1.23"
 */
export function formatUsd(nusd: number, decimals = 2): string {
  const unit = 10 ** (9 - decimals);
  const negative = nusd < 0;
  const rounded = Math.round(Math.abs(nusd) / unit);
  const whole = Math.floor(rounded / 10 ** decimals);
  const frac = decimals ? `.${String(rounded % 10 ** decimals).padStart(decimals, "0")}` : "";
  return `${negative ? "-" : ""}${whole}${frac}`;
}

/** Dollars as a JSON number: the double nearest the exact decimal (use formatUsd for text). */
export function nusdToUsdNumber(nusd: number): number {
  return Number(formatUsd(nusd, 9));
}
