/**
 * @module
 * Stream hold rule for IBAN_CODE: from a word start, a country code that has IBANs, two check
 * digits, then the BBAN either compact or in groups of four. Trailing text that is still a prefix
 * of that shape is held ("D", "DE", "DE89 3704 00"); a word that already broke it ("Hello", "DO",
 * "DE89 3704 0") is not. Upper case only, as the recognizer matches; a lower-case variant missed
 * here is still masked from the first held char on (the scanner clips spans that began in
 * released text).
 */
import { isAlnumCode, trailingRun } from "../hold-run";
import type { HoldRule } from "../types";

/** 34 chars of IBAN plus 8 group spaces. */
const MAX_HOLD = 44;

/** Countries with a registered IBAN format (as in ./index.ts). */
const COUNTRIES = new Set(
  ("AD AE AL AT AZ BA BE BG BH BI BR BY CH CR CY CZ DE DJ DK DO EE EG ES FI FK FO FR GB GE GI GL GR GT HN HR " +
    "HU IE IL IQ IS IT JO KW KZ LB LC LI LT LU LV LY MC MD ME MK MN MR MT MU NI NL NO OM PK PL PS PT QA RO RS " +
    "RU SA SC SD SE SI SK SM SO ST SV TL TN TR UA VA VG XK YE").split(" "),
);
const FIRST_LETTERS = new Set([...COUNTRIES].map((c) => c[0]));

/** After the country code: a prefix of check digits and BBAN, compact or grouped. */
const PARTIAL_REST = /^\d{0,2}$|^\d{2}(?:[A-Z0-9]{1,30}|(?: [A-Z0-9]{4}){0,8} [A-Z0-9]{0,4})$/;

function couldBeIban(rest: string): boolean {
  if (rest.length === 1) return FIRST_LETTERS.has(rest);
  return COUNTRIES.has(rest.slice(0, 2)) && PARTIAL_REST.test(rest.slice(2));
}

const inIban = (c: number): boolean => isAlnumCode(c) || c === 32;

export const ibanHold: HoldRule = {
  maxHold: MAX_HOLD,
  candidateStart(text) {
    const from = trailingRun(text, inIban, MAX_HOLD);
    // Earliest word start in the run whose rest is still a possible IBAN.
    for (let i = from; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 65 || c > 90 || (i > 0 && isAlnumCode(text.charCodeAt(i - 1)))) continue;
      if (couldBeIban(text.slice(i))) return i;
    }
    return text.length;
  },
};
