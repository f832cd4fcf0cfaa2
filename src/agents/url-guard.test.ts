import { describe, expect, it } from "vitest";
import { checkUpstreamUrl } from "./url-guard";

const open = { allowlist: "*", mocks: false };

describe("checkUpstreamUrl", () => {
  it("refuses every private, loopback, link-local, unique-local, CGNAT and embedded-IPv4 literal", () => {
    for (const u of ["https://127.0.0.1/", "https://0.0.0.0/", "https://10.1.2.3/", "https://172.16.0.1/", "https://192.168.1.1/", "https://169.254.169.254/",
      "https://100.64.0.1/", "https://[::1]/", "https://[fe80::1]/", "https://[fd12::1]/", "https://[::ffff:10.0.0.1]/", "https://[64:ff9b::7f00:1]/",
      "https://[2002:7f00:1::]/", "https://0x7f.1/", "https://2130706433/", "https://224.0.0.1/"]) {
      expect(checkUpstreamUrl(u, open).ok, u).toBe(false);
    }
    expect(checkUpstreamUrl("https://8.8.8.8/", open).ok).toBe(true);
    expect(checkUpstreamUrl("https://[2001:4860:4860::8888]/", open).ok).toBe(true);
  });

  it("refuses internal names, other schemes and credentials", () => {
    for (const u of ["https://localhost/", "https://LOCALHOST./", "https://a.localhost/", "https://metadata.google.internal/", "https://nas.local/", "https://intranet/",
      "http://api.example.com/", "ftp://api.example.com/", "https://u:p@api.example.com/", "not a url"]) {
      expect(checkUpstreamUrl(u, open).ok, u).toBe(false);
    }
  });

  it("matches the allow-list exactly, by subdomain wildcard, or not at all when unset", () => {
    const policy = { allowlist: " tools.example.com , *.partner.io", mocks: false };
    expect(checkUpstreamUrl("https://tools.example.com/mcp", policy).ok).toBe(true);
    expect(checkUpstreamUrl("https://evil-tools.example.com/", policy).ok).toBe(false);
    expect(checkUpstreamUrl("https://a.partner.io/", policy).ok).toBe(true);
    expect(checkUpstreamUrl("https://partner.io/", policy).ok).toBe(false);
    expect(checkUpstreamUrl("https://evilpartner.io/", policy).ok).toBe(false);
    expect(checkUpstreamUrl("https://tools.example.com/", { allowlist: undefined, mocks: false })).toMatchObject({ ok: false, reason: expect.stringContaining("AGENT_URL_ALLOWLIST") });
  });

  it("lets the test mocks through only when mocks are enabled", () => {
    expect(checkUpstreamUrl("https://mocks.invalid/__mock/mcp/x", { allowlist: undefined, mocks: true }).ok).toBe(true);
    expect(checkUpstreamUrl("https://mocks.invalid/__mock/mcp/x", { allowlist: undefined, mocks: false }).ok).toBe(false);
  });
});
