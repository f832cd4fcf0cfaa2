import { describe, expect, it } from "vitest";
import { verifyChain, versionHash, type ChainLink } from "./chain";

async function chain(n: number): Promise<ChainLink[]> {
  const out: ChainLink[] = [];
  for (let v = 1; v <= n; v++) {
    const link = { version: v, prev_sha256: out.at(-1)?.sha256 ?? null, artifacts: { classification: { entity_types: { CREDIT_CARD: v % 2 ? "restricted" : "internal" } }, n: v } };
    out.push({ ...link, sha256: await versionHash(link) });
  }
  return out;
}

describe("governance hash chain", () => {
  it("hashes the RFC 8785 canonical JSON: key order does not matter, values do", async () => {
    const a = await versionHash({ version: 1, prev_sha256: null, artifacts: { b: [true, null], a: 1 } });
    const b = await versionHash({ artifacts: { a: 1, b: [true, null] }, prev_sha256: null, version: 1 } as never);
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    // RFC 8785 sorts keys and prints no whitespace: the hash is of exactly this text.
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode('{"artifacts":{"a":1,"b":[true,null]},"prev_sha256":null,"version":1}'));
    expect(a).toBe([...new Uint8Array(digest)].map((x) => x.toString(16).padStart(2, "0")).join(""));
    expect(await versionHash({ version: 1, prev_sha256: null, artifacts: { b: [true, null], a: 2 } })).not.toBe(a);
  });

  it("verifies an intact chain and finds the first broken link", async () => {
    const links = await chain(4);
    expect(await verifyChain(links)).toBeNull();
    const tampered = structuredClone(links);
    (tampered[1].artifacts as { n: number }).n = 99;
    expect(await verifyChain(tampered)).toEqual({ version: 2, reason: "sha256 does not match the version's content" });
    const relinked = structuredClone(links);
    relinked[2].prev_sha256 = relinked[0].sha256;
    expect((await verifyChain(relinked))?.version).toBe(3);
    expect((await verifyChain([links[0], links[2]]))?.reason).toBe("expected version 2");
  });
});
