/**
 * @module
 * Stream hold rule for EMAIL_ADDRESS: any trailing word may still be a local part waiting for its
 * `@`, and `local@domain` may still grow (`acme.co` → `acme.com`). The run of local-part and
 * domain chars (and `@`) at the end is held until a char outside it arrives.
 */
import { isAlnumCode, trailingRun } from "../hold-run";
import type { HoldRule } from "../types";

/** Local part (64) + `@` + domain (253), plus slack for a run that turns out to be two tokens. */
const MAX_HOLD = 320;

// . % + - _ @
const inAddress = (c: number): boolean =>
  isAlnumCode(c) || c === 46 || c === 37 || c === 43 || c === 45 || c === 95 || c === 64;

export const emailHold: HoldRule = {
  maxHold: MAX_HOLD,
  candidateStart: (text) => trailingRun(text, inAddress, MAX_HOLD),
};
