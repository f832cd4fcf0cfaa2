/**
 * @module
 * IBAN_CODE recognizer: country code, two check digits and the basic bank account number,
 * compact or printed in groups of four. A candidate must have its country's length and BBAN
 * format (ibantools' country specifications) and pass the ISO 7064 mod-97 check, which leaves
 * essentially no false positives.
 */
import { countrySpecs, validateIBAN, ValidationErrorsIBAN } from "ibantools";
import { adjustScore, contextScorer, hasDigit } from "../context";
import type { Finding, Recognizer } from "../types";

/**
 * IBAN length per country, from ibantools' country specifications: the SWIFT registry plus the
 * countries that publish IBANs outside it (Nafimas members such as Algeria, Senegal, Madagascar)
 * and the French territories that use French IBANs under their own code (GP, RE, NC, …).
 */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(countrySpecs).flatMap(([country, spec]) => (spec.chars === undefined ? [] : [[country, spec.chars]])),
);

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
 * True when ibantools finds nothing wrong but, at most, the national check digits: mod-97 already
 * makes a random match a 1-in-97 event on top of country and length, and national schemes are
 * where validators disagree, so a miss there would cost recall for no precision.
 */
function bbanFormatValid(compact: string): boolean {
  const { errorCodes } = validateIBAN(compact);
  return errorCodes.every((code) => code === ValidationErrorsIBAN.WrongAccountBankBranchChecksum);
}

/**
 * Validates a compact IBAN: known country, its length, mod-97 (cheap, here), then the country's
 * BBAN format (digits and letters where its registry entry has them, via ibantools).
 *
 * @example
 * isValidIban("DE89370400440532013000") // true
 */
export function isValidIban(compact: string): boolean {
  const expected = IBAN_LENGTHS[compact.slice(0, 2)];
  return expected !== undefined && compact.length === expected && ibanChecksumValid(compact) && bbanFormatValid(compact);
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
    if (!hasDigit(text)) return out;
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
