/**
 * @module
 * US_SSN recognizer. Nine digits as AAA-GG-SSSS (or spaced, or bare) that obey the SSA's
 * allocation rules: area not 000, 666 or 900–999, group not 00, serial not 0000, and not one of
 * the numbers published in advertising. Dashed numbers are fairly distinctive; spaced and bare
 * nine-digit numbers are everywhere (zip+4, order ids), so they need a context word to pass.
 */
import { adjustScore, contextScorer, hasDigit } from "../context";
import type { Finding, Recognizer } from "../types";

/** Same separator (or none) in both places; backreference keeps "123-45 6789" out. */
const CANDIDATE = /(?<![\w.\-/#])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\w]|[\-./]\d)/g;

const SCORER = contextScorer(
  ["ssn", "ssns", "ss#", "ssn#", "social security", "social sec", "social", "soc sec", "taxpayer", "tax id",
   "tin", "ssa", "employee ssn", "w-2", "w2", "i-9"],
  ["order", "invoice", "inv", "tracking", "phone", "tel", "fax", "zip", "postal", "account", "acct", "routing",
   "ref", "reference", "case", "ticket", "sku", "part", "serial", "po", "isbn", "pin"],
  0.4,
  0.45,
);

/** Numbers used in advertising or otherwise known never to belong to a person (SSA). */
const PUBLISHED = new Set(["078051120", "219099999", "123456789", "457555462"]);

/**
 * SSA structural rules for area, group and serial.
 *
 * @example
 * isValidSsn("536", "90", "4399") // true
 * isValidSsn("666", "12", "3456") // false
 */
export function isValidSsn(area: string, group: string, serial: string): boolean {
  if (area === "000" || area === "666" || area[0] === "9") return false;
  if (group === "00" || serial === "0000") return false;
  const all = area + group + serial;
  if (/^(\d)\1{8}$/.test(all)) return false;
  return !PUBLISHED.has(all);
}

/**
 * Finds US social security numbers.
 *
 * @example
 * usSsnRecognizer.find("SSN: 536-90-4399") // [{ type: "US_SSN", start: 5, end: 16, score: 1 }]
 */
export const usSsnRecognizer: Recognizer = {
  type: "US_SSN",
  find(text: string): Finding[] {
    const out: Finding[] = [];
    if (!hasDigit(text)) return out;
    CANDIDATE.lastIndex = 0;
    for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
      if (!isValidSsn(m[1], m[3], m[4])) continue;
      const start = m.index;
      const end = start + m[0].length;
      const base = m[2] === "-" ? 0.65 : m[2] === " " ? 0.4 : 0.3;
      out.push({ type: "US_SSN", start, end, score: adjustScore(text, start, end, base, SCORER) });
    }
    return out;
  },
};
