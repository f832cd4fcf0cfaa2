/**
 * @module
 * IBAN_CODE recognizer: country code, two check digits and the basic bank account number,
 * compact or printed in groups of four. A candidate must have its country's registered length and
 * pass the ISO 7064 mod-97 check, which leaves essentially no false positives.
 */
import { adjustScore, contextScorer } from "../context";
import type { Finding, Recognizer } from "../types";

/** Registered IBAN lengths per country (SWIFT IBAN registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31,
  SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29,
  VA: 22, VG: 24, XK: 20, YE: 30,
};

/** Compact, or groups of four separated by single spaces with a short last group. */
const CANDIDATE = /\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,8}(?: [A-Z0-9]{1,3})?)\b/g;

const SCORER = contextScorer(
  ["iban", "account", "bank", "transfer", "wire", "sepa", "bic", "swift", "beneficiary", "payee", "remit", "kontonummer", "rib"],
  [],
  0.1,
  0,
);

/**
 * ISO 7064 mod-97-10 check of a compact IBAN (upper case, no spaces): remainder must be 1.
 *
 * @example
 * ibanChecksumValid("GB82WEST12345698765432") // true
 * ibanChecksumValid("GB82WEST12345698765433") // false
 */
export function ibanChecksumValid(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    if (c >= 48 && c <= 57) remainder = (remainder * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) remainder = (remainder * 100 + (c - 55)) % 97; // A=10 … Z=35
    else return false;
  }
  return remainder === 1;
}

/**
 * Validates a compact IBAN: known country, registered length, mod-97.
 *
 * @example
 * isValidIban("DE89370400440532013000") // true
 */
export function isValidIban(compact: string): boolean {
  const expected = IBAN_LENGTHS[compact.slice(0, 2)];
  return expected !== undefined && compact.length === expected && ibanChecksumValid(compact);
}

/**
 * Finds IBANs. A grouped candidate that runs on into the following text ("… 0130 00 2024") is
 * cut back to its country's length when the cut falls on a group boundary.
 *
 * @example
 * ibanRecognizer.find("IBAN DE89 3704 0044 0532 0130 00") // [{ type: "IBAN_CODE", start: 5, end: 32, score: 1 }]
 */
export const ibanRecognizer: Recognizer = {
  type: "IBAN_CODE",
  find(text: string): Finding[] {
    const out: Finding[] = [];
    CANDIDATE.lastIndex = 0;
    for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
      const value = m[0];
      const expected = IBAN_LENGTHS[value.slice(0, 2)];
      if (expected === undefined) continue;
      let printedLength = value.length;
      const compact = value.replace(/ /g, "");
      if (compact.length > expected) {
        if (!value.includes(" ")) continue;
        // Printed length of `expected` characters in groups of four: one space per full group.
        printedLength = expected + Math.floor((expected - 1) / 4);
        if (value.charCodeAt(printedLength) !== 32) continue;
      }
      if (!isValidIban(compact.slice(0, expected))) continue;
      const start = m.index;
      const end = start + printedLength;
      out.push({ type: "IBAN_CODE", start, end, score: adjustScore(text, start, end, 0.9, SCORER) });
    }
    return out;
  },
};
