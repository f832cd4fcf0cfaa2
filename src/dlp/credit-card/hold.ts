/**
 * @module
 * Stream hold rule for CREDIT_CARD: a trailing run of digits, spaces, dashes and dots that starts
 * with a digit may still grow into a card number (or into a longer number that is not one).
 */
import { isDigitCode, trailingCandidate } from "../hold-run";
import type { HoldRule } from "../types";

/** 19 digits with a separator between each pair, at most. */
const MAX_HOLD = 40;

const inCard = (c: number): boolean => isDigitCode(c) || c === 32 || c === 45 || c === 46 || c === 160;

export const creditCardHold: HoldRule = {
  maxHold: MAX_HOLD,
  candidateStart: (text) => trailingCandidate(text, inCard, isDigitCode, MAX_HOLD),
};
