/**
 * @module
 * CREDIT_CARD recognizer: 13–19 digits, optionally grouped by spaces or dashes, that pass the
 * Luhn checksum and start with an issuer (IIN) prefix of a known network with a length that
 * network issues. Luhn alone lets one random 16-digit number in ten through; the IIN table and
 * the grouping rules cut that to a few in a thousand, and hard-negative words ("order",
 * "tracking") handle the rest.
 */
import { adjustScore, contextScorer, hasDigit } from "../context";
import type { Finding, Recognizer } from "../types";

/** Separator (space, dash, dot) optional between any two digits; no nesting, so matching is linear. */
const CANDIDATE = /(?<![\w.\-/])\d(?:[ .\-]?\d){12,18}(?![\w]|[\-.]\d)/g;

const SCORER = contextScorer(
  ["card", "credit", "debit", "visa", "mastercard", "master card", "amex", "american express", "discover",
   "jcb", "diners", "unionpay", "maestro", "cc", "ccn", "pan", "payment", "pay", "cvv", "cvc", "expiry", "exp",
   "billing", "charge", "charged",
   "karte", "kreditkarte", "kartennummer", "carte", "carta", "tarjeta", "cartão", "kaart", "kaartnummer"],
  ["order", "tracking", "invoice", "inv", "ref", "reference", "serial", "sku", "isbn", "imei", "transaction id",
   "txn", "account no", "confirmation", "ticket", "case", "shipment", "barcode", "ean", "upc"],
  0.15,
  0.5,
);

/**
 * Luhn (mod 10) checksum over a digit string.
 *
 * @example
 * luhnValid("4111111111111111") // true
 * luhnValid("4111111111111112") // false
 */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

interface Network {
  name: string;
  /** Inclusive prefix ranges, compared on the first `digits` digits. */
  ranges: ReadonlyArray<readonly [number, number, number]>; // [digits, from, to]
  lengths: readonly number[];
  /** A wide legacy range: only a card when printed in groups or named as one (see the recognizer). */
  weak?: boolean;
}

/** Issuer prefixes and lengths as published by the networks (ISO/IEC 7812 IIN ranges). */
const NETWORKS: readonly Network[] = [
  // 13-digit Visa and short Maestro numbers are no longer issued; allowing them mostly matches EANs.
  { name: "visa", ranges: [[1, 4, 4]], lengths: [16, 19] },
  { name: "mastercard", ranges: [[2, 51, 55], [4, 2221, 2720]], lengths: [16] },
  { name: "amex", ranges: [[2, 34, 34], [2, 37, 37]], lengths: [15] },
  { name: "discover", ranges: [[4, 6011, 6011], [3, 644, 649], [2, 65, 65], [6, 622126, 622925]], lengths: [16, 17, 18, 19] },
  { name: "jcb", ranges: [[4, 3528, 3589]], lengths: [16, 17, 18, 19] },
  { name: "diners", ranges: [[3, 300, 305], [3, 309, 309], [2, 36, 36], [2, 38, 39]], lengths: [14, 15, 16, 17, 18, 19] },
  { name: "unionpay", ranges: [[2, 62, 62]], lengths: [16, 17, 18, 19] },
  { name: "maestro", ranges: [[4, 5018, 5018], [4, 5020, 5020], [4, 5038, 5038], [4, 5893, 5893], [4, 6304, 6304], [4, 6759, 6759], [4, 6761, 6763]], lengths: [16, 17, 18, 19] },
  { name: "mir", ranges: [[4, 2200, 2204]], lengths: [16, 17, 18, 19] },
  // Maestro's original allocation (50, 56–69) is still on issued cards and PSP test numbers
  // (5000 55…, 6771 79…, 6799 99…); it also covers many unrelated 16-digit numbers, hence weak.
  { name: "maestro", ranges: [[2, 50, 50], [2, 56, 69]], lengths: [16, 17, 18, 19], weak: true },
];

/**
 * The card network whose IIN range and length fit `digits`, or null.
 *
 * @example
 * cardNetwork("378282246310005") // "amex"
 * cardNetwork("1234567812345670") // null
 */
export function cardNetwork(digits: string): string | null {
  return matchNetwork(digits)?.name ?? null;
}

function matchNetwork(digits: string): Network | null {
  const first = digits.charCodeAt(0) - 48;
  if (first < 2 || first > 6) return null; // no network issues cards starting 0, 1, 7, 8, 9
  // Prefix values of length 1..6, computed once instead of per range.
  const prefixes = [0];
  for (let i = 0, v = 0; i < 6; i++) prefixes.push((v = v * 10 + (digits.charCodeAt(i) - 48)));
  for (const network of NETWORKS) {
    if (!network.lengths.includes(digits.length)) continue;
    for (const [n, from, to] of network.ranges) {
      if (prefixes[n] >= from && prefixes[n] <= to) return network;
    }
  }
  return null;
}

/** Printed groupings: 4-4-4-4(-3), Amex 4-6-5, Diners 4-6-4, or a final short group of 4s. */
function groupingValid(groups: readonly number[]): boolean {
  if (groups.length === 1) return true;
  if (groups.length === 3 && groups[0] === 4 && groups[1] === 6 && (groups[2] === 5 || groups[2] === 4)) return true;
  for (let i = 0; i < groups.length - 1; i++) if (groups[i] !== 4) return false;
  const last = groups[groups.length - 1];
  return last >= 1 && last <= 4;
}

/**
 * True when a grouped candidate is a slice of a longer grouped number ("9400 1000 0000 0000 0000
 * 00" is a tracking id): digit groups continue before it or after it. An expiry date after the
 * card ("… 4242 04/28") is not a continuation.
 */
function continuesGroups(text: string, start: number, end: number): boolean {
  if (!/[ .\-]/.test(text.slice(start, end))) return false;
  return /\d[ .\-]$/.test(text.slice(Math.max(0, start - 2), start)) || /^[ .\-]\d{1,4}(?![\d/])/.test(text.slice(end, end + 7));
}

/**
 * Validates one candidate as printed: consistent separators, grouping, Luhn and IIN.
 *
 * @example
 * isCardNumber("4111 1111 1111 1111") // true
 * isCardNumber("4111 1111 1111 1112") // false (Luhn)
 */
export function isCardNumber(candidate: string): boolean {
  // Cheapest checks first: most candidates are runs of unrelated numbers that fail Luhn.
  let digits = "";
  let separator = 0;
  for (let i = 0; i < candidate.length; i++) {
    const c = candidate.charCodeAt(i);
    if (c >= 48 && c <= 57) digits += candidate[i];
    else if (separator === 0) separator = c;
    else if (c !== separator) return false; // "4111 1111-1111 1111": mixed separators
  }
  if (digits.length < 14 || !luhnValid(digits) || cardNetwork(digits) === null) return false;
  if (/^(\d)\1+$/.test(digits)) return false;
  return separator === 0 || groupingValid(candidate.split(String.fromCharCode(separator)).map((g) => g.length));
}

/**
 * The greedy candidate may have swallowed a following group ("4242 … 4242 04/28", "4111…1111
 * 123"): returns the longest prefix, cut at a separator, that `valid` accepts, or null.
 */
function cardPrefix(candidate: string, valid: (value: string) => boolean): string | null {
  let value = candidate;
  for (;;) {
    if (valid(value)) return value;
    const cut = Math.max(value.lastIndexOf(" "), value.lastIndexOf("-"), value.lastIndexOf("."));
    if (cut < 12) return null;
    value = value.slice(0, cut);
  }
}

/**
 * Finds payment card numbers.
 *
 * @example
 * creditCardRecognizer.find("visa 4111 1111 1111 1111") // [{ type: "CREDIT_CARD", start: 5, end: 24, score: 0.95 }]
 */
export const creditCardRecognizer: Recognizer = {
  type: "CREDIT_CARD",
  find(text: string): Finding[] {
    const out: Finding[] = [];
    if (!hasDigit(text)) return out;
    CANDIDATE.lastIndex = 0;
    for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
      const start = m.index;
      const value = cardPrefix(m[0], (v) => isCardNumber(v) && !continuesGroups(text, start, start + v.length));
      if (value === null) continue;
      const end = start + value.length;
      // Grouped numbers are printed for humans, which real card numbers usually are. A weak range
      // compact needs a card word: 0.45 + 0.15.
      const digits = value.replace(/\D/g, "");
      const grouped = value.length > digits.length;
      const weak = matchNetwork(digits)?.weak === true;
      const base = (grouped ? 0.8 : 0.7) - (weak ? 0.25 : 0);
      out.push({ type: "CREDIT_CARD", start, end, score: adjustScore(text, start, end, base, SCORER) });
    }
    return out;
  },
};
