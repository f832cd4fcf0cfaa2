/**
 * @module
 * PHONE_NUMBER recognizer for international numbers (+CC …, (+CC) …, 00CC …), North American
 * numbers ((415) 555-0132, 415-555-0132, 1-800-…, and 555-0132 next to a phone word) and European
 * national numbers with a trunk 0 (020 7946 0958, 030 12345678, 01 23 45 67 89).
 *
 * Numbers are everywhere in text, so shapes are strict and separators mandatory between groups
 * (which also keeps the regex linear): dates, versions, times and ids do not fit these shapes,
 * and the ones that do (order and product codes) are caught by hard-negative words. A bare run of
 * ten digits is only a phone number when a phone word is near.
 */
import { adjustScore, contextScorer } from "../context";
import type { Finding, Recognizer } from "../types";

const CANDIDATE = new RegExp(
  [
    "(?<![\\w+\\-./#$€£])(?:",
    // 1: +CC compact (E.164)
    "(\\+[1-9]\\d{6,14})(?!\\d)",
    // 2: +CC or (+CC) grouped, optional (0) or (area)
    "|((?:\\+[1-9]\\d{0,3}|\\(\\+[1-9]\\d{0,3}\\))(?:[ .\\-]?\\(\\d{1,5}\\)[ .\\-]?\\d{1,6}|[ .\\-]\\d{1,6})(?:[ .\\-]\\d{1,10}){0,6})",
    // 3: NANP with separators, optional leading 1
    "|((?:1[ .\\-])?(?:\\(\\d{3}\\)[ .\\-]?|\\d{3}[ .\\-])\\d{3}[ .\\-]\\d{4})",
    // 4: 00 international prefix, grouped (0044 20 7946 0958)
    "|(00[1-9]\\d{0,3}(?:[ .\\-]\\d{1,10}){1,6})",
    // 5: French dotted 0X.XX.XX.XX.XX
    "|(0\\d(?:\\.\\d\\d){4})",
    // 6: trunk 0 in parentheses, then groups
    "|(\\(0\\d{1,4}\\) ?\\d{2,8}(?:[ \\-]\\d{2,8}){0,3})",
    // 7: trunk 0, then space/dash/slash separated groups
    "|(0\\d{1,4}(?:[ \\-/]\\d{2,8}){1,4})",
    // 8: bare 10–11 digits, or a 7-digit local number: only with context
    "|([2-9]\\d{9}|0\\d{9,10}|[2-9]\\d{2}-\\d{4})",
    ")(?![\\w]|[\\-./]\\d)",
  ].join(""),
  "g",
);

const SCORER = contextScorer(
  ["phone", "phones", "telephone", "tel", "mobile", "cell", "cellphone", "call", "calling", "called", "dial",
   "fax", "sms", "text me", "whatsapp", "signal", "contact", "reach", "reached", "ring", "hotline", "helpline",
   "telefon", "téléphone", "tél", "handy", "telefono", "móvil", "landline", "extension", "ext"],
  ["order", "orders", "invoice", "inv", "sku", "part", "item", "product", "model", "serial", "tracking", "ticket",
   "case", "ref", "reference", "po", "batch", "lot", "isbn", "account", "acct", "iban", "routing", "id",
   "version", "build", "pin", "ssn", "zip", "price", "total", "amount", "qty", "quantity", "confirmation"],
  0.3,
  0.5,
);

/** NANP: area and exchange start 2–9 and are not N11 service codes; area middle digit is not 9. */
function nanpValid(digits: string): boolean {
  const ten = digits.length === 11 && digits[0] === "1" ? digits.slice(1) : digits;
  if (ten.length !== 10) return false;
  const area = ten.slice(0, 3);
  const exchange = ten.slice(3, 6);
  if (area[0] < "2" || exchange[0] < "2") return false;
  if (area[1] === "9") return false;
  if (area[1] === "1" && area[2] === "1") return false;
  return !(exchange[1] === "1" && exchange[2] === "1");
}

/** dd.mm.yyyy, dd/mm/yyyy, yyyy-mm-dd style strings that slipped through a shape. */
const DATE_LIKE = /^(?:\d{1,2}[./\-]\d{1,2}[./\-]\d{2,4}|\d{4}[./\-]\d{1,2}[./\-]\d{1,2})$/;

function digitsOf(value: string): string {
  return value.replace(/\D/g, "");
}

/** Base score for a candidate by shape, or 0 when the shape's own rules reject it. */
function baseScore(m: RegExpExecArray): number {
  const digits = digitsOf(m[0]);
  if (/^(\d)\1+$/.test(digits)) return 0;
  if (m[1] !== undefined) return digits.length >= 8 ? 0.6 : 0;
  if (m[2] !== undefined) return digits.length >= 8 && digits.length <= 15 ? 0.75 : 0;
  if (m[3] !== undefined) {
    if (!nanpValid(digits)) return 0;
    if (m[3].includes("(")) return 0.8;
    return /\./.test(m[3]) ? 0.55 : 0.65;
  }
  if (m[4] !== undefined) return digits.length >= 10 && digits.length <= 17 ? 0.6 : 0;
  if (DATE_LIKE.test(m[0])) return 0;
  if (m[5] !== undefined) return 0.6;
  if (m[6] !== undefined || m[7] !== undefined) return digits.length >= 10 && digits.length <= 12 ? 0.55 : 0;
  if (m[8] !== undefined) {
    if (digits.length === 7) return digits[1] === "1" && digits[2] === "1" ? 0 : 0.3; // no N11 exchange
    return m[8][0] === "0" || nanpValid(digits) ? 0.3 : 0;
  }
  return 0;
}

/**
 * Finds phone numbers.
 *
 * @example
 * phoneRecognizer.find("call (415) 555-0132") // [{ type: "PHONE_NUMBER", start: 5, end: 19, score: 1 }]
 */
export const phoneRecognizer: Recognizer = {
  type: "PHONE_NUMBER",
  find(text: string): Finding[] {
    const out: Finding[] = [];
    CANDIDATE.lastIndex = 0;
    for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
      const base = baseScore(m);
      if (base === 0) continue;
      const start = m.index;
      const end = start + m[0].length;
      out.push({ type: "PHONE_NUMBER", start, end, score: adjustScore(text, start, end, base, SCORER) });
    }
    return out;
  },
};
