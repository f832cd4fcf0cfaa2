/**
 * @module
 * EMAIL_ADDRESS recognizer. Instead of running an email regex over the whole text (which retries
 * the local-part class at every word and can go quadratic on long alphanumeric runs), it jumps
 * from one `@` to the next with `indexOf` and grows the address outwards, so text without `@`
 * costs one scan of memchr speed.
 */
import { isAlnum } from "../context";
import type { Finding, Recognizer } from "../types";

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
const BASE_SCORE = 0.9;

function isLocalChar(c: number): boolean {
  // . % + - _  (the RFC allows more, but these are what real addresses use)
  return isAlnum(c) || c === 46 || c === 37 || c === 43 || c === 45 || c === 95;
}

function isDomainChar(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 45;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const TLD = /^(?:[a-z]{2,24}|xn--[a-z0-9-]{2,59})$/i;
/** `icon@2x.png` is an asset name, not an address. */
const ASSET_SCALE = /^\dx\./i;
/** `scheme://user:pass@host` — the part before `@` is a credential, not a mailbox. */
const URL_USERINFO = /:\/\/[^\s/@]*$/;

/**
 * Validates a domain: two or more labels, each 1–63 chars without edge hyphens, alphabetic TLD.
 *
 * @example
 * isValidDomain("mail.acme.io") // true
 * isValidDomain("localhost") // false
 */
export function isValidDomain(domain: string): boolean {
  if (domain.length < 4 || domain.length > MAX_DOMAIN) return false;
  const labels = domain.split(".");
  if (labels.length < 2) return false;
  for (const label of labels) if (!LABEL.test(label)) return false;
  return TLD.test(labels[labels.length - 1]);
}

/**
 * Validates a local part: 1–64 chars, no leading, trailing or doubled dots.
 *
 * @example
 * isValidLocalPart("jane.doe+news") // true
 * isValidLocalPart("jane..doe") // false
 */
export function isValidLocalPart(local: string): boolean {
  if (local.length === 0 || local.length > MAX_LOCAL) return false;
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) return false;
  return true;
}

/**
 * Finds email addresses.
 *
 * @example
 * emailRecognizer.find("mail jane.doe@acme.io now") // [{ type: "EMAIL_ADDRESS", start: 5, end: 21, score: 0.9 }]
 */
export const emailRecognizer: Recognizer = {
  type: "EMAIL_ADDRESS",
  find(text: string): Finding[] {
    const out: Finding[] = [];
    let at = text.indexOf("@");
    while (at !== -1) {
      let start = at;
      while (start > 0 && at - start < MAX_LOCAL + 1 && isLocalChar(text.charCodeAt(start - 1))) start--;
      while (start < at && text.charCodeAt(start) === 46) start++; // leading dots belong to the prose
      let end = at + 1;
      while (end < text.length && end - at <= MAX_DOMAIN && isDomainChar(text.charCodeAt(end))) end++;
      // Sentence punctuation after the address ("write to a@b.io.") is not part of it.
      while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
      const local = text.slice(start, at);
      const domain = text.slice(at + 1, end);
      const before = start > 0 ? text.charCodeAt(start - 1) : 32;
      if (
        before !== 64 && // "a@b@c" chains are not addresses
        text.charCodeAt(end) !== 64 &&
        isValidLocalPart(local) &&
        isValidDomain(domain) &&
        !ASSET_SCALE.test(domain) &&
        !(before === 58 && URL_USERINFO.test(text.slice(Math.max(0, start - 80), start))) &&
        !(local === "git" && text.charCodeAt(end) === 58) // git@host:org/repo is an SSH remote
      ) {
        out.push({ type: "EMAIL_ADDRESS", start, end, score: BASE_SCORE });
      }
      at = text.indexOf("@", Math.max(end, at + 1));
    }
    return out;
  },
};
