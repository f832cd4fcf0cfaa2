/**
 * @module
 * Private keys in PEM armour (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted, PGP). The finding spans
 * from `-----BEGIN … PRIVATE KEY-----` to the matching END line; when the END line is missing (a
 * truncated paste), it spans the base64 body that follows, so the key material is still covered.
 * Keys pasted inside JSON (GCP service-account files) carry literal `\n` escapes; those count as
 * part of the body.
 */
import type { Finding } from "../types";

const BEGIN = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----/g;
/** One body line of an unterminated block: separators (incl. `\n` escapes), then base64. */
const LINE = /(?:\s|\\[nr])*([A-Za-z0-9+/]{16,}={0,2}|[A-Za-z0-9+/]{1,15}={1,2})/y;
const MAX_BLOCK = 16_384;

/**
 * Finds PEM private key blocks.
 *
 * @example
 * findPrivateKeys("-----BEGIN RSA PRIVATE KEY-----\nMIIB...\n-----END RSA PRIVATE KEY-----").length // 1
 */
export function findPrivateKeys(text: string): Finding[] {
  const out: Finding[] = [];
  // Next END position per marker: a text with many BEGIN lines and no END must not rescan the
  // rest of the text once per header (quadratic).
  const nextEnd = new Map<string, number>();
  BEGIN.lastIndex = 0;
  for (let m = BEGIN.exec(text); m !== null; m = BEGIN.exec(text)) {
    const start = m.index;
    const bodyStart = start + m[0].length;
    const endMarker = `-----END ${m[1]}-----`;
    let endAt = nextEnd.get(endMarker) ?? -2;
    if (endAt === -2 || (endAt !== -1 && endAt < bodyStart)) {
      endAt = text.indexOf(endMarker, bodyStart);
      nextEnd.set(endMarker, endAt);
    }
    let end: number;
    if (endAt !== -1 && endAt - start <= MAX_BLOCK) {
      end = endAt + endMarker.length;
    } else {
      // Lines of base64 only: prose after a truncated paste ("Thanks!") is short words, not kept.
      end = bodyStart;
      LINE.lastIndex = bodyStart;
      while (end - start < MAX_BLOCK && LINE.exec(text) !== null) end = LINE.lastIndex;
    }
    out.push({ type: "SECRET", start, end, score: 0.99 });
    BEGIN.lastIndex = Math.max(end, bodyStart);
  }
  return out;
}
