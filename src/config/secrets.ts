/**
 * @module
 * Provider secrets at rest: AES-256-GCM with a key from the SECRETS_KEY binding. Stored as
 * `base64(iv).base64(ciphertext)`; decrypted only when a policy bundle is compiled.
 */

function b64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function unb64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

const keys = new Map<string, Promise<CryptoKey>>();

function importKey(keyB64: string): Promise<CryptoKey> {
  let key = keys.get(keyB64);
  if (!key) {
    const raw = unb64(keyB64);
    if (raw.byteLength !== 32) throw new Error("SECRETS_KEY must be base64 of 32 bytes");
    key = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    keys.set(keyB64, key);
  }
  return key;
}

/** @example const sealed = await sealSecret(env.SECRETS_KEY, "sk-live-...") */
export async function sealSecret(keyB64: string, plain: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await importKey(keyB64), new TextEncoder().encode(plain));
  return `${b64(iv)}.${b64(new Uint8Array(ct))}`;
}

/** @example const plain = await openSecret(env.SECRETS_KEY, sealed) */
export async function openSecret(keyB64: string, sealed: string): Promise<string> {
  const [iv, ct] = sealed.split(".");
  const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(iv) }, await importKey(keyB64), unb64(ct));
  return new TextDecoder().decode(pt);
}

/** SHA-256 hex, used for API-key hashes and cache keys. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  const bytes = new Uint8Array(digest);
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** A new API key: `sk-sy-` and 40 random base62 characters. */
export function newApiKey(): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const bytes = crypto.getRandomValues(new Uint8Array(40));
  let s = "sk-sy-";
  for (const b of bytes) s += alphabet[b % 62];
  return s;
}
