/**
 * @module
 * The shape side of the PHONE_NUMBER recognizer: one linear candidate regex for everything that
 * is printed like a phone number (digit groups joined by single spaces, dots, dashes or slashes,
 * parenthesised area codes and `(0)` trunk prefixes, a `+`/`00` international prefix, an
 * extension), and the national shapes that are phone numbers even without a phone word nearby.
 */

/** A parenthesised group: `(030)`, `(0)`, `(+44)`, `(0-612)`. */
const PAREN = "\\(\\+?\\d{1,5}(?:-\\d{1,4})?\\)";
/** `ext. 123`, `x204`, `#12`, `;ext=301`, `(ext. 7)`, `Durchwahl 12`, `poste 12`. */
const EXTENSION =
  "(?:[ ]?(?:[Ee]xt(?:ension)?\\.?|x|#|;ext=|Durchwahl|[Pp]oste)[ ]?\\d{1,6}|[ ]?\\([Ee]xt\\.?[ ]?\\d{1,6}\\))";

/**
 * Separators between groups: space, dot, dash, slash, and the no-break spaces word processors and
 * mail clients put into numbers ("06 12 34 56 78" pasted from French text).
 */
const SEP = "[ .\\-/\\u00a0\\u202f]";
const PAREN_SEP = "[ .\\-\\u00a0\\u202f]";

/** One more group: a separator and digits, or a parenthesised group ("(0)", "(771)") and digits. */
const GROUP = `(?:${SEP}\\d{1,12}|${PAREN_SEP}?${PAREN}${PAREN_SEP}?\\d{1,12})`;

/**
 * A lone number of fewer than six digits (a count, a year) is not a candidate at all: most of
 * the numbers in a text end here, before any per-candidate work.
 * Groups 1 = the number, 2 = the extension. Groups need a separator between them (or a
 * parenthesis), so each repetition starts on a different character class and matching stays
 * linear. The look-behind refuses to start inside a longer token or run of digit groups, or
 * after `[` (citations and link texts: `[2405664](…)`).
 */
export const CANDIDATE = new RegExp(
  `(?<![\\w+\\-./#$€£[]|\\d${SEP})` +
    `(${PAREN}${PAREN_SEP}?\\d{1,15}${GROUP}{0,7}|(?:\\+[ ]?)?(?:\\d{6,15}${GROUP}{0,7}|\\d{1,5}${GROUP}{1,7}))` +
    `(${EXTENSION})?` +
    "(?![\\w]|[\\-./]\\d)",
  "g",
);

/** dd.mm.yyyy, dd/mm/yyyy, yyyy-mm-dd style strings, alone or followed by a time ("03/15/2024 2:30"). */
const DATE_LIKE = /^(?:\d{1,2}[./\-]\d{1,2}[./\-]\d{2,4}|\d{4}[./\-]\d{1,2}[./\-]\d{1,2})(?: |$)/;

/** What the decisions need to know about a printed number, gathered in one pass. */
export interface NumberShape {
  /** The number as printed, without extension. */
  printed: string;
  /** How many digits it has. */
  digits: number;
  /** Lengths of its digit groups as printed ("(415) 555-0132" → [3, 3, 4]). */
  groups: number[];
  /** Every digit is the same one ("000000"). */
  repeated: boolean;
}

/**
 * Reads the shape of a printed number without regexes or substrings: this runs for every
 * candidate, and most candidates are years, counts and ids.
 *
 * @example
 * shapeOf("(415) 555-0132") // { printed: "(415) 555-0132", digits: 10, groups: [3, 3, 4], repeated: false }
 */
export function shapeOf(printed: string): NumberShape {
  const groups: number[] = [];
  let digits = 0;
  let run = 0;
  let first = -1;
  let repeated = true;
  for (let i = 0; i < printed.length; i++) {
    const c = printed.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      run++;
      if (first === -1) first = c;
      else if (c !== first) repeated = false;
    } else if (run > 0) {
      groups.push(run);
      run = 0;
    }
  }
  if (run > 0) groups.push(run);
  return { printed, digits, groups, repeated };
}

/** The digits of a printed number. */
export function digitsOf(value: string): string {
  return value.replace(/\D/g, "");
}

/** True for numbers printed with an international prefix: `+CC`, `(+CC)`, `00CC`. */
export function isInternational(number: string): boolean {
  return number[0] === "+" || number.startsWith("(+") || /^00[1-9]/.test(number);
}

/**
 * The E.164 form of an internationally printed number, dropping a `(0)` trunk prefix
 * ("+49 (0)30 1234 5678" → "+493012345678").
 *
 * @example
 * toE164("0044 20 7946 0958") // "+442079460958"
 */
export function toE164(number: string): string {
  const digits = digitsOf(number.replace(/\(0\)/, ""));
  return `+${digits.startsWith("00") ? digits.slice(2) : digits}`;
}

/** NANP: area and exchange start 2–9 and are not N11 service codes; area middle digit is not 9. */
export function nanpValid(digits: string): boolean {
  const ten = digits.length === 11 && digits[0] === "1" ? digits.slice(1) : digits;
  if (ten.length !== 10) return false;
  const area = ten.slice(0, 3);
  const exchange = ten.slice(3, 6);
  if (area[0] < "2" || exchange[0] < "2") return false;
  if (area[1] === "9") return false;
  if (area[1] === "1" && area[2] === "1") return false;
  return !(exchange[1] === "1" && exchange[2] === "1");
}

const isNanpGrouping = (g: readonly number[]): boolean =>
  (g.length === 3 && g[0] === 3 && g[1] === 3 && g[2] === 4) ||
  (g.length === 4 && g[0] === 1 && g[1] === 3 && g[2] === 3 && g[3] === 4);

/**
 * Base score of a nationally printed number by shape alone: 0 when it is not a number that is
 * recognisably a phone number without a phone word, else how sure the shape makes us.
 * NANP 3-3-4 (optionally 1- first), and trunk-0 numbers of 9–12 digits in two or more groups
 * (`020 7946 0958`, `06 12 34 56 78`, `0172-3456789`, `(030) 1234567`).
 *
 * @example
 * nationalShapeScore(shapeOf("(415) 555-0132")) // 0.8
 * nationalShapeScore(shapeOf("2024-118-4452")) // 0
 */
export function nationalShapeScore(shape: NumberShape): number {
  const { printed, groups, digits } = shape;
  if (groups.length < 2) return 0;
  if (isNanpGrouping(groups)) {
    if (!nanpValid(digitsOf(printed))) return 0;
    if (printed.includes("(")) return 0.8;
    return printed.includes(".") ? 0.55 : 0.65;
  }
  const trunk = printed[0] === "0" || printed.startsWith("(0");
  if (trunk && digits >= 9 && digits <= 12 && groups[0] <= 5) {
    return groups.every((g) => g >= 2) ? 0.55 : 0;
  }
  return 0;
}

/**
 * True when a candidate can be a phone number at all, whatever the context: 6–15 digits (an
 * extension aside), not a date, not one digit repeated.
 */
export function plausibleNumber(shape: NumberShape): boolean {
  if (shape.digits < 6 || shape.digits > 15 || shape.repeated) return false;
  // Only three-group numbers that start with a short group can be dates.
  return shape.groups.length < 3 || shape.groups[0] > 4 || !DATE_LIKE.test(shape.printed);
}
