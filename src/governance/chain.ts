/**
 * @module
 * The hash chain of applied governance versions. Each version's `sha256` is the SHA-256 (hex) of
 * the RFC 8785 canonical JSON of `{"version","prev_sha256","artifacts"}`, so anyone holding the
 * exported versions can recompute it with any RFC 8785 implementation, and changing one byte of an
 * old version (or dropping one) breaks every later link.
 */
import canonicalize from "canonicalize";

export interface ChainLink {
  version: number;
  prev_sha256: string | null;
  sha256: string;
  artifacts: unknown;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The hash of one version.
 * @example await versionHash({ version: 1, prev_sha256: null, artifacts })
 */
export async function versionHash(v: { version: number; prev_sha256: string | null; artifacts: unknown }): Promise<string> {
  const text = canonicalize({ version: v.version, prev_sha256: v.prev_sha256, artifacts: v.artifacts });
  if (text === undefined) throw new Error("artifacts cannot be canonicalized");
  return sha256Hex(text);
}

/**
 * Verifies a chain in version order: consecutive numbers from 1, each link naming its
 * predecessor's hash and hashing to its own. Returns the first broken version, or null.
 * @example const broken = await verifyChain(versions); if (broken) alert(broken);
 */
export async function verifyChain(links: readonly ChainLink[]): Promise<{ version: number; reason: string } | null> {
  let prev: string | null = null;
  for (let i = 0; i < links.length; i++) {
    const l = links[i];
    if (l.version !== i + 1) return { version: l.version, reason: `expected version ${i + 1}` };
    if (l.prev_sha256 !== prev) return { version: l.version, reason: "prev_sha256 does not match the previous version's sha256" };
    if ((await versionHash(l)) !== l.sha256) return { version: l.version, reason: "sha256 does not match the version's content" };
    prev = l.sha256;
  }
  return null;
}
