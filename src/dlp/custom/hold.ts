/**
 * @module
 * Stream hold rule for a custom pattern. A regex's possible matches cannot be enumerated from a
 * prefix in general, so the rule is judged from the pattern's text: a pattern that cannot match
 * whitespace matches within one word, and only the trailing word (run of non-space chars) is
 * held; a pattern that can span words holds a fixed window of the last 64 chars.
 */
import { isSpaceCode, trailingRun } from "../hold-run";
import type { HoldRule } from "../types";

/** Custom patterns are at most 256 chars; a one-word match longer than this is not plausible. */
const MAX_WORD_HOLD = 256;
const SPANNING_WINDOW = 64;

/** Pattern parts that can match whitespace: a space, `\s`, `\W`, `\D`, `.`, a negated class, `\x20`-style escapes. */
const MAY_MATCH_SPACE = /(?<!\\)(?:\\\\)*(?: |\\[sWDHVhv]|\\[xu]|\\c|(?<!\\)\.|\[\^)/;

/**
 * The hold rule for a custom `pattern`.
 * @example
 * customHoldRule("EMP-\\d{6}").candidateStart("badge EMP-00") // 6
 */
export function customHoldRule(pattern: string): HoldRule {
  if (MAY_MATCH_SPACE.test(pattern)) {
    return { maxHold: SPANNING_WINDOW, candidateStart: (text) => Math.max(0, text.length - SPANNING_WINDOW) };
  }
  return { maxHold: MAX_WORD_HOLD, candidateStart: (text) => trailingRun(text, (c) => !isSpaceCode(c), MAX_WORD_HOLD) };
}
