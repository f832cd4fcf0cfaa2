import { describe, expect, it } from "vitest";
import { baseUrlCredentials, destinationChanged, isCredentialName } from "./provider-url";

describe("baseUrlCredentials", () => {
  it("refuses user info and credential-like query parameters", () => {
    expect(baseUrlCredentials("https://user:pass@api.example.com/v1")).toMatch(/user info/);
    expect(baseUrlCredentials("https://user@api.example.com/v1")).toMatch(/user info/);
    for (const p of ["key", "api_key", "apiKey", "api-key", "x-api-key", "access_token", "token", "sig", "client_secret", "password", "subscription-key", "code"]) {
      expect(baseUrlCredentials(`https://api.example.com/v1?${p}=abc`), p).toContain(p);
    }
  });
  it("accepts ordinary URLs and non-secret parameters", () => {
    expect(baseUrlCredentials("https://api.groq.com/openai/v1")).toBeUndefined();
    expect(baseUrlCredentials("http://127.0.0.1:8000/v1?api-version=2024-10-21")).toBeUndefined();
    expect(baseUrlCredentials("https://host/v1?keyboard=1&monkey=2")).toBeUndefined();
  });
});

describe("destinationChanged", () => {
  it("is true for another type or base URL, false otherwise", () => {
    expect(destinationChanged({ type: "openai", base_url: "https://a/v1" }, { type: "openai", base_url: "https://a/v1" })).toBe(false);
    expect(destinationChanged({ type: "openai" }, { type: "openai", base_url: null })).toBe(false);
    expect(destinationChanged({ type: "openai", base_url: "https://a/v1" }, { type: "openai", base_url: "https://b/v1" })).toBe(true);
    expect(destinationChanged({ type: "openai" }, { type: "openai-compatible" })).toBe(true);
    expect(destinationChanged({ type: "openai" }, { type: "openai", base_url: "https://a/v1" })).toBe(true);
  });
});

describe("isCredentialName", () => {
  it("flags credential settings, not the provider options in use", () => {
    for (const n of ["api_key", "token", "secret", "client_secret", "password", "access_token"]) expect(isCredentialName(n), n).toBe(true);
    for (const n of ["api_version", "version", "beta", "organization", "project", "omit_usage", "include_usage", "max_tokens"]) expect(isCredentialName(n), n).toBe(false);
  });
});
