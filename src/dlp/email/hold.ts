/**
 * @module
 * Stream hold rule for EMAIL_ADDRESS: any trailing word may still be a local part waiting for its
 * `@`, and `local@domain` may still grow (`acme.co` → `acme.com`). The run of local-part and
 * domain chars (and `@`) at the end is held until a char outside it arrives.
 */
import { trailingRun } from "../hold-run";
import { isLocalChar } from "./index";
import type { HoldRule } from "../types";

/** Local part (64) + `@` + domain (253), plus slack for a run that turns out to be two tokens. */
const MAX_HOLD = 320;

// Every char the recognizer takes into an unquoted local part (RFC 5322 atext and the dot, so
// `sean.o'brien@`), domain chars (a subset) and `@`.
const inAddress = (c: number): boolean => isLocalChar(c) || c === 64;

export const emailHold: HoldRule = {
  maxHold: MAX_HOLD,
  candidateStart: (text) => trailingRun(text, inAddress, MAX_HOLD),
};
