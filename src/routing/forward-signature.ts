/**
 * @module
 * The signed forward: how one regional edge tells another "I authenticated this request and
 * forward it to you, its home edge". A client cannot forge it: the header carries an HMAC-SHA256
 * (key FORWARD_SIGNING_KEY, shared by the regions) over the sender and receiver regions, a
 * timestamp, the method, the path and query, a hash of the Authorization header and a hash of
 * the body, and the origin the client called (so the home edge checks a DPoP proof's `htu` against
 * the URL the client really used). So a captured header is worthless for another request, another key, another body,
 * another receiver or, after {@link FORWARD_MAX_SKEW_SECONDS}, at all. Anything else a client
 * sends as a forward header is stripped by the receiver (src/routing/forward.ts).
 *
 * Header: `x-switchyard-forward: v1.<from>.<to>.<unix seconds>.<base64url signature>`.
 */

export const FORWARD_HEADER = "x-switchyard-forward";
/** The origin the client called, covered by the signature ({@link ForwardFacts.origin}). */
export const FORWARD_ORIGIN_HEADER = "x-switchyard-forward-origin";
/** A forward older (or newer) than this is refused: clocks of Cloudflare edges agree to far better. */
export const FORWARD_MAX_SKEW_SECONDS = 30;

const REGION = /^[a-z][a-z0-9-]{0,15}$/;
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    if (keys.size > 4) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  let out = "";
  for (const b of digest) out += b.toString(16).padStart(2, "0");
  return out;
}

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return undefined;
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=");
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** What a forward signature covers. */
export interface ForwardFacts {
  from: string;
  to: string;
  /** Unix seconds at the sender. */
  ts: number;
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  target: string;
  authorization: string | null;
  body: Uint8Array;
  /**
   * The origin the client called (`https://us.switchyard.example`), sent as
   * `x-switchyard-forward-origin`; absent counts as "".
   */
  origin?: string;
}

async function canonical(f: ForwardFacts): Promise<string> {
  const [auth, body] = await Promise.all([sha256Hex(f.authorization ?? ""), sha256Hex(f.body)]);
  return ["v1", f.from, f.to, String(f.ts), f.method.toUpperCase(), f.target, auth, body, f.origin ?? ""].join("\n");
}

/**
 * The header value for a forward.
 * @example await signForward(secret, { from: "us", to: "eu", ts: 1767225600, method: "POST", target: "/v1/chat/completions", authorization: "Bearer sk-..", body })
 */
export async function signForward(secret: string, f: ForwardFacts): Promise<string> {
  if (!REGION.test(f.from) || !REGION.test(f.to)) throw new Error("region names must be short lowercase words");
  const sig = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(await canonical(f)));
  return `v1.${f.from}.${f.to}.${f.ts}.${base64url(new Uint8Array(sig))}`;
}

/** Why a forward header was not accepted; `ok` carries the verified sender and receiver. */
export type ForwardVerdict = { ok: true; from: string; to: string } | { ok: false; reason: "malformed" | "stale" | "bad_signature" };

/**
 * Checks a forward header against the request it came with. Constant-time comparison
 * (`crypto.subtle.verify`).
 * @example (await verifyForward(secret, header, { method, target, authorization, body }, nowSeconds)).ok
 */
export async function verifyForward(
  secret: string,
  header: string,
  request: Omit<ForwardFacts, "from" | "to" | "ts">,
  nowSeconds: number,
): Promise<ForwardVerdict> {
  const parts = header.trim().split(".");
  if (parts.length !== 5 || parts[0] !== "v1") return { ok: false, reason: "malformed" };
  const [, from, to, tsText, sigText] = parts;
  const sig = fromBase64url(sigText);
  if (!REGION.test(from) || !REGION.test(to) || !/^\d{1,12}$/.test(tsText) || !sig) return { ok: false, reason: "malformed" };
  const ts = Number(tsText);
  if (Math.abs(nowSeconds - ts) > FORWARD_MAX_SKEW_SECONDS) return { ok: false, reason: "stale" };
  const message = encoder.encode(await canonical({ ...request, from, to, ts }));
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret), sig, message);
  return valid ? { ok: true, from, to } : { ok: false, reason: "bad_signature" };
}
