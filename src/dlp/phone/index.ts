/**
 * @module
 * PHONE_NUMBER recognizer. Candidates are anything printed like a phone number (see shape.ts);
 * what decides is how it is printed:
 * - with an international prefix (`+49 …`, `(+44) …`, `0049 …`, `+49 (0)30 …`): the number must
 *   be valid for its country calling code by libphonenumber-js's metadata (the `min` build:
 *   number lengths and leading digits per country, no type patterns);
 * - nationally, NANP 3-3-4 and trunk-0 numbers (`020 7946 0958`, `06 12 34 56 78`) stand on
 *   their own;
 * - any other run of 6–15 digits in phone-like groups is a phone number only when a phone word
 *   (in one of several languages) is near and no hard-negative word (order, invoice, …) is nearer.
 * An extension (`ext. 123`, `x204`, `;ext=301`) belongs to the span.
 */
import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import { adjustScore, contextScorer, countDigits, hasContext, WINDOW_BEFORE, hasDigit } from "../context";
import type { Finding, Recognizer } from "../types";
import { CANDIDATE, isInternational, nationalShapeScore, type NumberShape, plausibleNumber, shapeOf, toE164 } from "./shape";

const SCORER = contextScorer(
  ["phone", "phones", "telephone", "tel", "mobile", "cell", "cellphone", "call", "calling", "called", "call me",
   "dial", "fax", "sms", "text me", "whatsapp", "signal", "contact", "reach", "reached", "ring", "hotline",
   "helpline", "landline", "extension", "ext", "my number", "mobile number",
   // de, fr, es, it, pt, nl
   "telefon", "telefonnummer", "rufnummer", "handy", "mobil", "anrufen", "rufen sie", "erreichbar", "kontakt",
   "téléphone", "tél", "portable", "appelez", "appeler", "joindre", "mon numéro", "votre numéro",
   "teléfono", "telefono", "móvil", "celular", "llámame", "llame", "llamar", "mi número", "contacto",
   "cellulare", "cell", "chiamami", "chiamare", "chiamata", "telefone", "ligue", "ligar", "meu número", "contato",
   "telefoon", "mobiel", "mobiele", "bel me", "bellen", "mijn nummer", "gsm"],
  ["order", "orders", "invoice", "inv", "sku", "part", "item", "product", "model", "serial", "tracking", "ticket",
   "case", "ref", "reference", "po", "batch", "lot", "isbn", "imei", "ean", "account", "acct", "iban", "routing",
   "id", "version", "build", "pin", "ssn", "zip", "price", "total", "amount", "qty", "quantity", "confirmation",
   "card", "timestamp", "ssns", "social security", "ip", "oid", "firmware", "section",
   "bestellnummer", "bestellung", "rechnung", "rechnungsnummer", "auftrag", "kundennummer", "artikelnummer",
   "commande", "facture", "référence", "pedido", "factura", "referencia", "ordine", "fattura", "encomenda",
   "fatura", "bestelling", "factuur"],
  0.3,
  0.5,
);

/**
 * Verdicts per E.164 number. A stream scanner rescans its held-back window every few chunks, so
 * the same number is validated many times; parsing costs ~10 µs. Bounded: cleared when full.
 */
const verdicts = new Map<string, number>();
const MAX_VERDICTS = 256;

/** Base score of an internationally printed number: valid for its country, possible, or 0. */
function internationalScore(number: string): number {
  const e164 = toE164(number);
  let score = verdicts.get(e164);
  if (score === undefined) {
    const parsed = parsePhoneNumberFromString(e164);
    // Possible but not valid (right length, unallocated prefix): only with a phone word.
    score = parsed === undefined ? 0 : parsed.isValid() ? 0.85 : parsed.isPossible() ? 0.45 : 0;
    if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
    verdicts.set(e164, score);
  }
  return score;
}

const SSN_SHAPE = /^\d{3}-\d{2}-\d{4}$/;

/**
 * Groups as phone numbers print them: a one-digit group only first ("7 1123456", "8 (771) …"),
 * which rules out OIDs and section numbers (1.3.6.1.4.1).
 */
function phoneLikeGroups(groups: readonly number[]): boolean {
  for (let i = 1; i < groups.length; i++) if (groups[i] === 1) return false;
  return true;
}

/**
 * A count or an amount with thousands separators ("1 234 567", "120 000", "1.234.567"): a first
 * group of 1–3 digits without a trunk 0, then groups of exactly three, seven digits at most. Nine-
 * digit 3-3-3 numbers stay candidates: that is how Portugal, Spain and others print mobiles.
 */
function amountLike(shape: NumberShape): boolean {
  const { printed, groups, digits } = shape;
  if (digits > 7 || groups.length < 2 || groups[0] > 3 || printed[0] === "0") return false;
  for (let i = 1; i < groups.length; i++) if (groups[i] !== 3) return false;
  return /^\d{1,3}(?:[ .\u00a0\u202f]\d{3})+$/.test(printed);
}

/** A decimal ("150000.00", "1234.50"): two dot-separated groups, the last of two digits. */
function decimalLike({ printed, groups }: NumberShape): boolean {
  return groups.length === 2 && groups[1] === 2 && groups[0] >= 3 && printed.charCodeAt(printed.length - 3) === 46;
}

/** Score of a candidate before context, or 0 when its shape rules it out. */
function baseScore(number: string): number {
  const shape = shapeOf(number);
  if (!plausibleNumber(shape)) return 0;
  if (isInternational(number)) return internationalScore(number);
  const { groups } = shape;
  // US_SSN's shape, also when that recognizer rejects the number.
  if (groups.length === 3 && groups[0] === 3 && groups[1] === 2 && groups[2] === 4 && SSN_SHAPE.test(number)) return 0;
  const national = nationalShapeScore(shape);
  if (national > 0) return national;
  if (amountLike(shape) || decimalLike(shape)) return 0;
  // A lone run of six digits next to "contact" is more often a count than a number to call.
  if (groups.length === 1 && shape.digits < 7) return 0;
  // 0.3 stays under the 0.5 threshold unless a phone word adds its 0.3.
  return shape.digits <= 13 && phoneLikeGroups(groups) ? 0.3 : 0;
}

/** Sentence and field breaks: a word before one of these says nothing about what follows. */
const CLAUSE_BREAK = /[\n;]|[.!?]\s+(?=\p{Lu})/gu;

/**
 * True when a phone word occurs before the candidate in the same clause ("call me on …", not
 * "… to call the API. Bad address 878.48.129.33"), or right after it ("… (mobile)").
 */
function phoneWordInClause(text: string, start: number, end: number): boolean {
  let before = text.slice(Math.max(0, start - WINDOW_BEFORE), start);
  CLAUSE_BREAK.lastIndex = 0;
  let cut = 0;
  for (let m = CLAUSE_BREAK.exec(before); m !== null; m = CLAUSE_BREAK.exec(before)) cut = m.index + m[0].length;
  if (cut > 0) before = before.slice(cut);
  return hasContext(before, before.length, before.length, SCORER.positive, before.length, 0) ||
    hasContext(text, start, end, SCORER.positive, 0);
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
    // Every candidate has a digit: text without one costs one native pass, not the regex's walk.
    if (!hasDigit(text)) return out;
    CANDIDATE.lastIndex = 0;
    for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
      // Most candidates are years, counts and prices: too few digits, decided without allocating.
      if (countDigits(m[1], 6) < 6) continue;
      const base = baseScore(m[1]);
      if (base === 0) continue;
      const start = m.index;
      const end = start + m[0].length;
      // A candidate under 0.5 needs a phone word in its own clause (or right after it).
      if (base < 0.5 && !phoneWordInClause(text, start, end)) continue;
      const score = adjustScore(text, start, end, base, SCORER);
      if (score >= 0.5) out.push({ type: "PHONE_NUMBER", start, end, score });
    }
    return out;
  },
};
