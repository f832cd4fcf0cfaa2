/**
 * @module
 * JSON Web Tokens: three base64url segments whose first decodes to a JSON header with `alg`.
 * Decoding the header turns "looks like base64 with dots" into near-certainty.
 */
import type { Finding } from "../types";

const JWT = /(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}(?![A-Za-z0-9_\-])/g;

function decodeBase64Url(segment: string): string | null {
  try {
    const padded = segment.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((segment.length + 3) % 4);
    return atob(padded);
  } catch {
    return null;
  }
}

/**
 * True when the header segment decodes to a JSON object with a string `alg`.
 *
 * @example
 * isJwtHeader("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9") // true
 */
export function isJwtHeader(segment: string): boolean {
  const json = decodeBase64Url(segment);
  if (json === null) return false;
  try {
    const header: unknown = JSON.parse(json);
    return typeof header === "object" && header !== null && typeof (header as { alg?: unknown }).alg === "string";
  } catch {
    return false;
  }
}

/**
 * Finds JWTs.
 *
 * @example
 * findJwts("Authorization: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig_sig_sig_sig").length // 1
 */
export function findJwts(text: string): Finding[] {
  const out: Finding[] = [];
  JWT.lastIndex = 0;
  for (let m = JWT.exec(text); m !== null; m = JWT.exec(text)) {
    if (!isJwtHeader(m[0].slice(0, m[0].indexOf(".")))) continue;
    out.push({ type: "SECRET", start: m.index, end: m.index + m[0].length, score: 0.95 });
  }
  return out;
}
