/**
 * @module
 * Stream hold rule for US_SSN: a trailing run of digits, spaces and dashes starting with a digit
 * may still become `AAA-GG-SSSS` (or grow past nine digits and stop being one).
 */
import { isDigitCode, trailingCandidate } from "../hold-run";
import type { HoldRule } from "../types";

const MAX_HOLD = 24;

const inSsn = (c: number): boolean => isDigitCode(c) || c === 32 || c === 45 || c === 160;

export const usSsnHold: HoldRule = {
  maxHold: MAX_HOLD,
  candidateStart: (text) => trailingCandidate(text, inSsn, isDigitCode, MAX_HOLD),
};
