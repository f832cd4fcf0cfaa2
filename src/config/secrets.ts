/**
 * @module
 * Provider secrets at rest: AES-256-GCM with a key from the SECRETS_KEY binding, decrypted only
 * when a policy bundle is compiled. A secret is bound to where it may be sent: the provider id,
 * type and base URL are the cipher's additional authenticated data, so a ciphertext copied to
 * another provider row, or left behind when a row's destination changes, no longer decrypts.
 * Stored as `v2.base64(iv).base64(ciphertext)`. The earlier unbound form `base64(iv).base64(ct)`
 * still opens ({@link openSecret} reports it as legacy) so the loader can re-seal it, bound to
 * the row it sits in, on first read (src/config/loader.ts).
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

/** Where a provider secret may go: what its ciphertext is bound to. */
export interface SecretBinding {
  providerId: string;
  type: string;
  baseUrl?: string | null;
}

const SEALED_V2 = "v2.";

/** The additional data of a binding: unambiguous (JSON), so no two bindings share it. */
function additionalData(binding: SecretBinding): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(["switchyard-provider-secret", binding.providerId, binding.type, binding.baseUrl ?? null]));
}

/**
 * @example const sealed = await sealSecret(env.SECRETS_KEY, "sk-live-...", { providerId: "groq", type: "openai-compatible", baseUrl })
 */
export async function sealSecret(keyB64: string, plain: string, binding: SecretBinding): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: additionalData(binding) }, await importKey(keyB64), new TextEncoder().encode(plain));
  return `${SEALED_V2}${b64(iv)}.${b64(new Uint8Array(ct))}`;
}

/** True for the earlier, unbound format, which the loader re-seals. */
export function isLegacySealed(sealed: string): boolean {
  return !sealed.startsWith(SEALED_V2);
}

/**
 * Opens a sealed secret for exactly this binding; rejects when it was sealed for another
 * provider or destination (or tampered with). A legacy (unbound) value opens without one.
 * @example const plain = await openSecret(env.SECRETS_KEY, sealed, { providerId, type, baseUrl })
 */
export async function openSecret(keyB64: string, sealed: string, binding: SecretBinding): Promise<string> {
  const legacy = isLegacySealed(sealed);
  const [iv, ct] = (legacy ? sealed : sealed.slice(SEALED_V2.length)).split(".");
  if (!iv || !ct) throw new Error("malformed sealed secret");
  const aad = legacy ? {} : { additionalData: additionalData(binding) };
  const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(iv), ...aad }, await importKey(keyB64), unb64(ct));
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
