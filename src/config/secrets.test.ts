import { describe, expect, it } from "vitest";
import { isLegacySealed, openSecret, sealSecret } from "./secrets";

const KEY = btoa("0123456789abcdef0123456789abcdef");
const groq = { providerId: "groq", type: "openai-compatible", baseUrl: "https://api.groq.com/openai/v1" };

describe("provider secrets bound to provider and destination", () => {
  it("opens for the binding it was sealed for", async () => {
    const sealed = await sealSecret(KEY, "gsk_live", groq);
    expect(sealed.startsWith("v2.")).toBe(true);
    expect(isLegacySealed(sealed)).toBe(false);
    expect(await openSecret(KEY, sealed, groq)).toBe("gsk_live");
  });
  it("refuses another provider id, type or base URL", async () => {
    const sealed = await sealSecret(KEY, "gsk_live", groq);
    await expect(openSecret(KEY, sealed, { ...groq, providerId: "other" })).rejects.toThrow();
    await expect(openSecret(KEY, sealed, { ...groq, type: "openai" })).rejects.toThrow();
    await expect(openSecret(KEY, sealed, { ...groq, baseUrl: "https://evil.example/v1" })).rejects.toThrow();
    await expect(openSecret(KEY, sealed, { ...groq, baseUrl: null })).rejects.toThrow();
  });
  it("still opens the legacy unbound format (the loader re-seals it)", async () => {
    const key = await crypto.subtle.importKey("raw", Uint8Array.from(atob(KEY), (c) => c.charCodeAt(0)), "AES-GCM", false, ["encrypt"]);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode("old")));
    const legacy = `${btoa(String.fromCharCode(...iv))}.${btoa(String.fromCharCode(...ct))}`;
    expect(isLegacySealed(legacy)).toBe(true);
    expect(await openSecret(KEY, legacy, groq)).toBe("old");
  });
});
