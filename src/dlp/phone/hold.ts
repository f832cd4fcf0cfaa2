/**
 * @module
 * Stream hold rule for PHONE_NUMBER: a trailing run of digits and the separators numbers are
 * written with (`+`, `(`, `)`, space, `-`, `.`, `/`) that starts at a digit, `+` or `(` may still
 * grow into (or out of) a number. Context words that follow a number are covered by the scanner's
 * own rule for candidates that a following word could still raise.
 */
import { isDigitCode, trailingCandidate } from "../hold-run";
import type { HoldRule } from "../types";

const MAX_HOLD = 48;

// digits + ( ) space - . / no-break spaces, and what an extension is written with after a number
// (`ext. 204`, `x204`, `#204`): a number's extension is part of its span, so it is held with it.
const EXTENSION = new Set([..."extEXT#,;:"].map((c) => c.charCodeAt(0)));
const inNumber = (c: number): boolean =>
  isDigitCode(c) || c === 43 || c === 40 || c === 41 || c === 32 || c === 45 || c === 46 || c === 47 || c === 160 ||
  c === 0x202f || EXTENSION.has(c);
const startsNumber = (c: number): boolean => isDigitCode(c) || c === 43 || c === 40;

export const phoneHold: HoldRule = {
  maxHold: MAX_HOLD,
  candidateStart: (text) => trailingCandidate(text, inNumber, startsNumber, MAX_HOLD),
};
