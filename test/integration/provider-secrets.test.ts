/**
 * Issue 16.8 and 16.13: a provider's secret cannot be redirected (re-supply it to change the
 * destination; the ciphertext is bound to provider id and destination), and a base_url carrying
 * credentials is refused.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { getBundle, invalidateBundle } from "../../src/config/loader";
import { admin, adminOk } from "./helpers";

const ctx = { waitUntil: (_p: Promise<unknown>) => {} };
async function bundleKey(id: string): Promise<string | undefined> {
  invalidateBundle();
  return (await getBundle(env, ctx)).providers.get(id)?.apiKey;
}
const secretOf = async (id: string) => (await env.DB.prepare("SELECT secret_enc FROM providers WHERE id = ?").bind(id).first<{ secret_enc: string }>())!.secret_enc;

describe("provider secrets follow only their own destination", () => {
  it("refuses a type or base_url change without api_key, accepts it with one", async () => {
    const id = `sec-${Date.now().toString(36)}`;
    const base = { type: "openai-compatible", base_url: "https://a.example/v1", region: "us" };
    await adminOk("PUT", `/providers/${id}`, { ...base, api_key: "sk-original" });
    for (const change of [{ base_url: "https://attacker.example/v1" }, { type: "openai" }]) {
      const res = await admin("PUT", `/providers/${id}`, { ...base, ...change });
      expect(res.status).toBe(409);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect((await res.json<{ title: string }>()).title).toBe("Secret Must Be Re-Supplied");
    }
    expect(await bundleKey(id)).toBe("sk-original");
    // Same destination, other settings: the secret stays.
    const same = await adminOk<{ has_api_key: boolean }>("PUT", `/providers/${id}`, { ...base, region: "eu" });
    expect(same.has_api_key).toBe(true);
    expect(await bundleKey(id)).toBe("sk-original");
    await adminOk("PUT", `/providers/${id}`, { ...base, base_url: "https://b.example/v1", api_key: "sk-new" });
    expect(await bundleKey(id)).toBe("sk-new");
  });

  it("a ciphertext moved to another row, or left under another destination, does not decrypt", async () => {
    const a = `seca-${Date.now().toString(36)}`;
    const b = `secb-${Date.now().toString(36)}`;
    const spec = { type: "openai-compatible", base_url: "https://a.example/v1", region: "us" };
    await adminOk("PUT", `/providers/${a}`, { ...spec, api_key: "sk-of-a" });
    await adminOk("PUT", `/providers/${b}`, { ...spec, api_key: "sk-of-b" });
    // Someone with D1 access copies a's ciphertext into b's row.
    await env.DB.prepare("UPDATE providers SET secret_enc = ? WHERE id = ?").bind(await secretOf(a), b).run();
    expect(await bundleKey(b)).toBeUndefined();
    expect(await bundleKey(a)).toBe("sk-of-a");
    // ...or rewrites a's destination behind the API's back.
    await env.DB.prepare("UPDATE providers SET spec = ? WHERE id = ?").bind(JSON.stringify({ ...spec, base_url: "https://attacker.example/v1" }), a).run();
    expect(await bundleKey(a)).toBeUndefined();
  });

  it("re-seals a legacy unbound ciphertext, bound to its row, on first load", async () => {
    const id = `secl-${Date.now().toString(36)}`;
    await adminOk("PUT", `/providers/${id}`, { type: "openai", region: "us" });
    const key = await crypto.subtle.importKey("raw", Uint8Array.from(atob(env.SECRETS_KEY!), (c) => c.charCodeAt(0)), "AES-GCM", false, ["encrypt"]);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode("sk-legacy")));
    await env.DB.prepare("UPDATE providers SET secret_enc = ? WHERE id = ?").bind(`${btoa(String.fromCharCode(...iv))}.${btoa(String.fromCharCode(...ct))}`, id).run();
    expect(await bundleKey(id)).toBe("sk-legacy");
    expect((await secretOf(id)).startsWith("v2.")).toBe(true);
    expect(await bundleKey(id)).toBe("sk-legacy");
  });
});

describe("credentials inside base_url", () => {
  it.each([
    "https://user:pass@api.example.com/v1",
    "https://api.example.com/v1?key=AIzaSyFAKE",
    "https://api.example.com/v1?api_key=sk-123",
    "https://api.example.com/v1?access_token=abc",
  ])("refuses %s with a problem document", async (url) => {
    const res = await admin("PUT", `/providers/cred-${Date.now().toString(36)}`, { type: "openai-compatible", base_url: url, region: "us" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const body = await res.text();
    expect(body).toContain("Credentials Outside api_key");
    expect(body).not.toContain("sk-123");
  });
  it("refuses credential-named options too (options are shown in clear)", async () => {
    const res = await admin("PUT", `/providers/opt-${Date.now().toString(36)}`, { type: "openai", region: "us", options: { api_key: "sk-123" } });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain("sk-123");
  });
});
