/**
 * @module
 * IP_ADDRESS recognizer for IPv4 (dotted quad, each octet 0–255 without leading zeros) and IPv6
 * (full, compressed, and with an embedded IPv4 tail). Four-part version numbers are the classic
 * false positive ("release 10.2.0.15"), so a "v" prefix, a fifth part, or version words nearby
 * rule a candidate out.
 */
import { adjustScore, contextScorer, hasDigit } from "../context";
import type { Finding, Recognizer } from "../types";

const V4 = /(?<![\w.\-])(?:\d{1,3}\.){3}\d{1,3}(?![\w\-]|\.\d)/g;
/** Must start with a hex group and a colon (or `::`) so ordinary words are never candidates. */
const V6 = /(?<![\w:.])(?:[0-9a-f]{1,4}:|::)[0-9a-f:.]{0,45}[0-9a-f](?![\w:])/gi;

const SCORER = contextScorer(
  ["ip", "ips", "ipv4", "ipv6", "address", "addr", "host", "hostname", "server", "client", "remote", "source",
   "src", "dst", "destination", "gateway", "dns", "subnet", "cidr", "ping", "ssh", "connect", "connected",
   "from", "origin", "proxy", "firewall", "allowlist", "whitelist", "blocked", "x-forwarded-for", "nat", "vpn", "route"],
  ["version", "versions", "ver", "release", "released", "build", "firmware", "sdk", "rev", "revision", "patch",
   "upgrade", "update", "changelog", "section", "chapter", "clause", "figure", "table", "oid", "snmp", "isbn",
   // Several countries print phone numbers as dotted pairs ("Mobile 40.61.23.45"): a phone word says which.
   "phone", "telephone", "tel", "mobile", "cell", "fax", "my number", "telefon", "handy", "téléphone", "tél",
   "portable", "mon numéro", "teléfono", "telefono", "móvil", "celular", "cellulare", "telefone", "telefoon",
   "mobiel", "gsm", "call me", "text me", "appelez", "llámame", "chiamami", "bel me", "ligue", "anrufen"],
  0.2,
  0.55,
);

const V6_SCORER = { ...SCORER, negative: null };

/**
 * Validates a dotted-quad IPv4 address.
 *
 * @example
 * isValidIpv4("192.168.1.20") // true
 * isValidIpv4("256.1.1.1") // false
 */
export function isValidIpv4(value: string): boolean {
  const parts = value.split(".");
  if (parts.length !== 4) return false;
  for (const part of parts) {
    if (part.length === 0 || part.length > 3 || !/^\d+$/.test(part)) return false;
    if (part.length > 1 && part[0] === "0") return false;
    if (Number(part) > 255) return false;
  }
  return true;
}

/**
 * Validates an IPv6 address (RFC 4291 text forms, at most one `::`, optional IPv4 tail).
 *
 * @example
 * isValidIpv6("2001:db8::8a2e:370:7334") // true
 * isValidIpv6("12:30:45") // false
 */
export function isValidIpv6(value: string): boolean {
  const halves = value.split("::");
  if (halves.length > 2) return false;
  let groups = 0;
  for (let h = 0; h < halves.length; h++) {
    if (halves[h] === "") continue;
    const parts = halves[h].split(":");
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const isLast = h === halves.length - 1 && i === parts.length - 1;
      if (isLast && part.includes(".")) {
        if (!isValidIpv4(part)) return false;
        groups += 2;
      } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
        groups += 1;
      } else {
        return false;
      }
    }
  }
  return halves.length === 2 ? groups <= 7 : groups === 8;
}

/** A compressed form with almost no digits ("a::b", "std::") is more likely code than an address. */
function substantialIpv6(value: string): boolean {
  let hex = 0;
  let digits = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    if (c !== 58 && c !== 46) hex++;
  }
  return hex >= 4 && digits >= 1;
}

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/**
 * Cheap prefilter: some `:` sits between two hex digits or forms `::`. Prose has colons
 * ("Next steps: …") and hex letters everywhere, and the IPv6 regex would try every one of them.
 */
function hasIpv6Hint(text: string): boolean {
  for (let i = text.indexOf(":"); i !== -1; i = text.indexOf(":", i + 1)) {
    const next = text.charCodeAt(i + 1);
    if (next === 58 || (isHex(next) && isHex(text.charCodeAt(i - 1)))) return true;
  }
  return false;
}

/**
 * Finds IPv4 and IPv6 addresses.
 *
 * @example
 * ipAddressRecognizer.find("from 10.0.0.12") // [{ type: "IP_ADDRESS", start: 5, end: 14, score: 0.95 }]
 */
export const ipAddressRecognizer: Recognizer = {
  type: "IP_ADDRESS",
  find(text: string): Finding[] {
    const out: Finding[] = [];
    if (text.includes(".") && hasDigit(text)) {
      V4.lastIndex = 0;
      for (let m = V4.exec(text); m !== null; m = V4.exec(text)) {
        if (!isValidIpv4(m[0])) continue;
        const start = m.index;
        const end = start + m[0].length;
        out.push({ type: "IP_ADDRESS", start, end, score: adjustScore(text, start, end, 0.75, SCORER) });
      }
    }
    if (hasIpv6Hint(text)) {
      V6.lastIndex = 0;
      for (let m = V6.exec(text); m !== null; m = V6.exec(text)) {
        if (!isValidIpv6(m[0]) || !substantialIpv6(m[0])) continue;
        const start = m.index;
        const end = start + m[0].length;
        // Versions and section numbers never look like IPv6, so only the positive words apply.
        out.push({ type: "IP_ADDRESS", start, end, score: adjustScore(text, start, end, 0.85, V6_SCORER) });
      }
    }
    return out;
  },
};
