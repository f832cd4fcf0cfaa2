/**
 * @module
 * EMAIL_ADDRESS recognizer. Instead of running an email regex over the whole text (which retries
 * the local-part class at every word and can go quadratic on long alphanumeric runs), it jumps
 * from one `@` to the next with `indexOf` and grows the address outwards, so text without `@`
 * costs one scan of memchr speed.
 */
import { isAlnum } from "../context";
import { isValidIpv4, isValidIpv6 } from "../ip-address";
import type { Finding, Recognizer } from "../types";

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
const BASE_SCORE = 0.9;

/** RFC 5322 atext plus the dot, except `=` and `?` (query strings: `?email=jane@x.io`). */
const LOCAL_PUNCTUATION = new Set([..."!#$%&'*+-/^_`{|}~."].map((c) => c.charCodeAt(0)));

/** Legal in a local part but, at its start, almost always a quote or path around the address. */
const LEADING_NOISE = new Set([..."!#$&'*/^`{|}~."].map((c) => c.charCodeAt(0)));

/** A char an unquoted local part may hold (the stream hold rule holds the same run). */
export function isLocalChar(c: number): boolean {
  return isAlnum(c) || LOCAL_PUNCTUATION.has(c);
}

/**
 * Start of a quoted local part ending just before `at` (`"john..doe"@example.org`), or -1. The
 * quoted string may hold anything but a line break; `\"` is an escaped quote.
 */
function quotedLocalStart(text: string, at: number): number {
  if (at < 2 || text.charCodeAt(at - 1) !== 34) return -1;
  for (let i = at - 2; i >= 0 && at - i <= MAX_LOCAL + 2; i--) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return -1;
    if (c === 34 && text.charCodeAt(i - 1) !== 92) return i < at - 2 ? i : -1;
  }
  return -1;
}

/** End of an address-literal domain starting at `from` (`[192.0.2.1]`, `[IPv6:2001:db8::1]`), or -1. */
function literalDomainEnd(text: string, from: number): number {
  if (text.charCodeAt(from) !== 91) return -1;
  const close = text.indexOf("]", from);
  if (close === -1 || close - from > 50) return -1;
  const inner = text.slice(from + 1, close);
  const ok = inner.startsWith("IPv6:") ? isValidIpv6(inner.slice(5)) : isValidIpv4(inner);
  return ok ? close + 1 : -1;
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

/** Start of an unquoted local part ending at `at`. */
function localStart(text: string, at: number): number {
  let start = at;
  while (start > 0 && at - start < MAX_LOCAL + 1 && isLocalChar(text.charCodeAt(start - 1))) start--;
  // Leading dots, quotes and slashes belong to the prose or code around it ('a@b.io', path/a@b.io).
  while (start < at && LEADING_NOISE.has(text.charCodeAt(start))) start++;
  return start;
}

/** End of a host-name domain starting after `at`, without trailing sentence punctuation. */
function domainEnd(text: string, at: number): number {
  let end = at + 1;
  while (end < text.length && end - at <= MAX_DOMAIN && isDomainChar(text.charCodeAt(end))) end++;
  while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
  return end;
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
      const quoted = quotedLocalStart(text, at);
      const literalEnd = literalDomainEnd(text, at + 1);
      if (quoted !== -1 || literalEnd !== -1) {
        const start = quoted !== -1 ? quoted : localStart(text, at);
        const end = literalEnd !== -1 ? literalEnd : domainEnd(text, at);
        if (start < at && (literalEnd !== -1 || isValidDomain(text.slice(at + 1, end)))) {
          out.push({ type: "EMAIL_ADDRESS", start, end, score: BASE_SCORE });
        }
        at = text.indexOf("@", Math.max(end, at + 1));
        continue;
      }
      const start = localStart(text, at);
      // Sentence punctuation after the address ("write to a@b.io.") is not part of it.
      const end = domainEnd(text, at);
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
