/**
 * @module
 * Context words: the words around a candidate that make it more (or less) likely to be what its
 * shape suggests. "SSN: 123-45-6789" is a social security number; "order 123-45-6789" probably
 * is not. Word lists are compiled to one regex per recognizer when the module loads, so a
 * candidate only pays for one small regex test over a short window of text.
 */

/** How far around a candidate to look. Before-context matters more ("phone: ..."), so it is wider. */
export const WINDOW_BEFORE = 48;
export const WINDOW_AFTER = 24;

function escapeRegex(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Compiles a word list into a case-insensitive matcher. Letters/digits around a word must not
 * continue it ("tel" must not match "hotel"), but `_`, `-`, `.` count as breaks so identifiers
 * like `customer_phone` or `ssn-value` still count. Spaces inside a phrase match any run of
 * spaces, `_` or `-` ("social security" matches `social_security`).
 *
 * @example
 * const m = compileWords(["phone", "tel"]);
 * m?.test("customer_phone:") // true (reset m.lastIndex between calls: the regex is global)
 */
export function compileWords(words: readonly string[]): RegExp | null {
  const cleaned = words.map((w) => w.trim().toLowerCase()).filter((w) => w.length > 0);
  if (cleaned.length === 0) return null;
  // Longest first so alternation prefers "social security" over "social".
  cleaned.sort((a, b) => b.length - a.length);
  const alternatives = cleaned.map((w) => escapeRegex(w).replace(/ +/g, "[\\s_-]+"));
  // Global so callers can find the last match; every user resets lastIndex first.
  return new RegExp(`(?<![a-z0-9])(?:${alternatives.join("|")})(?![a-z0-9])`, "gi");
}

/**
 * True when `words` occurs within the window before `start` or after `end`.
 *
 * @example
 * hasContext("SSN: 123-45-6789", 5, 16, compileWords(["ssn"])) // true
 */
export function hasContext(
  text: string,
  start: number,
  end: number,
  words: RegExp | null,
  before = WINDOW_BEFORE,
  after = WINDOW_AFTER,
): boolean {
  if (words === null) return false;
  words.lastIndex = 0;
  if (before > 0 && words.test(text.slice(Math.max(0, start - before), start))) return true;
  words.lastIndex = 0;
  return after > 0 && words.test(text.slice(end, end + after));
}

/** Context scoring rule of one recognizer: boost for positive words, penalty for hard negatives. */
export interface ContextScorer {
  positive: RegExp | null;
  negative: RegExp | null;
  boost: number;
  penalty: number;
}

/**
 * Builds a {@link ContextScorer} from word lists.
 *
 * @example
 * const s = contextScorer(["phone"], ["order"], 0.35, 0.45);
 * adjustScore("phone 415-555-0132", 6, 18, 0.5, s) // 0.85
 */
export function contextScorer(
  positive: readonly string[],
  negative: readonly string[],
  boost: number,
  penalty: number,
): ContextScorer {
  return { positive: compileWords(positive), negative: compileWords(negative), boost, penalty };
}

/** Index just past the last match of `words` in `window`, or -1. */
function lastMatchEnd(window: string, words: RegExp | null): number {
  if (words === null) return -1;
  let last = -1;
  words.lastIndex = 0;
  for (let m = words.exec(window); m !== null; m = words.exec(window)) last = m.index + m[0].length;
  return last;
}

/** Clause breaks: a newline, "; ", or a full stop before a capital ("… 1623829. Refund to"). */
const CLAUSE_BREAK = /\n|; |\.\s+(?=[A-Z])/g;

function clauseStart(window: string): number {
  let at = 0;
  CLAUSE_BREAK.lastIndex = 0;
  for (let m = CLAUSE_BREAK.exec(window); m !== null; m = CLAUSE_BREAK.exec(window)) at = m.index + m[0].length;
  return at;
}

/**
 * Applies a {@link ContextScorer} to a base score, clamped to 0..1.
 *
 * In records like "phone: 512-739-8761; ssn: 804741423" both kinds of word are near, so the
 * nearest word before the candidate decides. Hard negatives count only within the candidate's
 * own clause (a "case 123." in the previous sentence says nothing about the card after it);
 * positive words may also follow the candidate ("536-90-4399 (SSN)").
 *
 * @example
 * const s = contextScorer(["phone"], ["order"], 0.35, 0.45);
 * adjustScore("order 415-555-0132", 6, 18, 0.5, s) // 0.05
 */
export function adjustScore(text: string, start: number, end: number, base: number, scorer: ContextScorer): number {
  const from = Math.max(0, start - WINDOW_BEFORE);
  const before = text.slice(from, start);
  const pos = lastMatchEnd(before, scorer.positive);
  const clause = clauseStart(before);
  const negInClause = lastMatchEnd(before.slice(clause), scorer.negative);
  const neg = negInClause === -1 ? -1 : clause + negInClause;
  let score = base;
  if (neg > pos) score -= scorer.penalty;
  else if (pos !== -1 || hasContext(text, start, end, scorer.positive, 0)) score += scorer.boost;
  return Math.min(1, Math.max(0, Math.round(score * 100) / 100));
}

/** True when the code unit at `i` is an ASCII letter or digit (used for hand-rolled boundaries). */
export function isAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** True when the code unit at `i` is an ASCII digit. */
export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Counts ASCII digits; a cheap prefilter for the numeric recognizers. */
export function countDigits(text: string, limit = Infinity): number {
  let n = 0;
  for (let i = 0; i < text.length && n < limit; i++) if (isDigit(text.charCodeAt(i))) n++;
  return n;
}

const ANY_DIGIT = /\d/;

/**
 * True when `text` has an ASCII digit (what `\d` matches). Every numeric recognizer's candidate
 * needs one, so text without any skips their regexes, whose look-behinds are tried at every
 * position: one native pass instead of several regex walks over prose.
 */
export function hasDigit(text: string): boolean {
  return ANY_DIGIT.test(text);
}
