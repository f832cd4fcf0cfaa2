/**
 * @module
 * Stream hold rule for IBAN_CODE: from a word start, two letters, two digits, then the BBAN either
 * compact or in groups of four. Any trailing text that is still a prefix of that shape is held
 * ("DE", "DE89 3704 00"); a word that already broke the shape ("Hello", "DE89 3704 0") is not.
 */
import { isAlnumCode, trailingRun } from "../hold-run";
import type { HoldRule } from "../types";

/** 34 chars of IBAN plus 8 group spaces. */
const MAX_HOLD = 44;

/** A prefix of an IBAN as the recognizer accepts it (either case, for lower-case variants). */
const PARTIAL_IBAN = /^[A-Za-z]{1,2}$|^[A-Za-z]{2}\d{1,2}$|^[A-Za-z]{2}\d{2}(?:[A-Za-z0-9]{1,30}|(?: [A-Za-z0-9]{4}){0,8} [A-Za-z0-9]{0,4})$/;

const inIban = (c: number): boolean => isAlnumCode(c) || c === 32;

export const ibanHold: HoldRule = {
  maxHold: MAX_HOLD,
  candidateStart(text) {
    const from = trailingRun(text, inIban, MAX_HOLD);
    // Earliest word start in the run whose rest is still a possible IBAN.
    for (let i = from; i < text.length; i++) {
      if (!isAlnumCode(text.charCodeAt(i)) || (i > 0 && isAlnumCode(text.charCodeAt(i - 1)))) continue;
      if (PARTIAL_IBAN.test(text.slice(i))) return i;
    }
    return text.length;
  },
};
