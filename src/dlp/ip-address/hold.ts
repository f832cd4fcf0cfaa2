/**
 * @module
 * Stream hold rule for IP_ADDRESS: a trailing run of hex digits, `.` and `:` may still grow into
 * an IPv4 or IPv6 address. A run of letters only is held while it could be a first IPv6 group
 * (at most four hex letters, as in `cafe::1`).
 */
import { isDigitCode, trailingRun } from "../hold-run";
import type { HoldRule } from "../types";

/** The longest IPv6 form with an IPv4 tail is 45 chars. */
const MAX_HOLD = 48;

const isHex = (c: number): boolean => isDigitCode(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const inAddress = (c: number): boolean => isHex(c) || c === 46 || c === 58;

export const ipAddressHold: HoldRule = {
  maxHold: MAX_HOLD,
  candidateStart(text) {
    const start = trailingRun(text, inAddress, MAX_HOLD);
    const run = text.slice(start);
    if (run.length === 0) return text.length;
    // An address cannot start right after a word char or `-` (`Crab`, `x-ab`).
    const before = start > 0 ? text.charCodeAt(start - 1) : 32;
    if (/[\w-]/.test(String.fromCharCode(before))) return text.length;
    // Letters only and longer than a group ("added", "facade"): not the start of an address.
    if (!/[\d.:]/.test(run) && run.length > 4) return text.length;
    return start;
  },
};
