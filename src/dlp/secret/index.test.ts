/**
 * @module
 * Tests of the SECRET recognizer: vendor formats, PEM, JWT, generic assignments, placeholders.
 */
import { describe, expect, it } from "vitest";
import { SECRET_RULES, isJwtHeader, isPlaceholder, looksGenerated, shannonEntropy } from ".";
import { scan } from "../scan";

/** Test credentials are assembled at run time so no scanner mistakes this file for a leak. */
const rep = (s: string, n: number) => s.repeat(Math.ceil(n / s.length)).slice(0, n);
const MIX = "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5cD7eF9gH1jK3lM5nP7qR9sT1uV3wX5yZ7";

/** Through `scan`, so that two rules matching the same key report it once. */
const spans = (text: string) => scan(text, { types: ["SECRET"] }).map((f) => text.slice(f.start, f.end));

describe("vendor key formats", () => {
  const cases: Array<[string, string]> = [
    ["AWS access key id", "AKIA" + "QYLPMN5HFIQR7BNA"],
    ["GCP API key", "AIza" + rep(MIX, 35)],
    ["GitHub PAT", "ghp_" + rep(MIX, 36)],
    ["GitHub Actions token", "ghs_" + rep(MIX, 36)],
    ["GitHub fine-grained PAT", "github_pat_" + rep(MIX, 82)],
    ["GitLab PAT", "glpat-" + rep(MIX, 20)],
    ["Slack bot token", "xoxb-" + "204811355123-2048113552123-" + rep(MIX, 24)],
    ["Stripe live key", "sk_live_" + rep(MIX, 24)],
    ["Stripe restricted key", "rk_test_" + rep(MIX, 24)],
    ["OpenAI project key", "sk-proj-" + rep(MIX, 74) + "T3BlbkFJ" + rep(MIX, 74)],
    ["Anthropic key", "sk-ant-api03-" + rep(MIX, 93) + "AA"],
    ["npm token", "npm_" + rep(MIX, 36)],
    ["SendGrid key", "SG." + rep(MIX, 22) + "." + rep(MIX, 43)],
    ["Hugging Face token", "hf_" + rep("aBcDeFgHiJkLmNoPqRsTuVwXyZ", 34)],
    ["Azure AD client secret", "abc" + "8Q~" + rep(MIX, 34)],
    ["DigitalOcean token", "dop_v1_" + rep("0123456789abcdef", 64)],
  ];
  for (const [name, value] of cases) {
    it(`finds a ${name} and reports only the key`, () => {
      expect(spans(`config: ${value} end`)).toEqual([value]);
    });
  }

  it("finds context-bound keys (AWS secret, Azure storage key)", () => {
    const aws = rep(MIX, 40);
    expect(spans(`aws_secret_access_key = ${aws}`)).toEqual([aws]);
    const storage = rep(MIX, 86) + "==";
    expect(spans(`DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${storage};`)).toEqual([storage]);
  });
});

describe("structured secrets", () => {
  it("finds PEM private keys from BEGIN to END", () => {
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${rep(MIX, 64)}\n${rep(MIX, 40)}==\n-----END RSA PRIVATE KEY-----`;
    expect(spans(`key:\n${pem}\nthanks`)).toEqual([pem]);
  });

  it("covers the base64 body of a truncated PEM block, not the prose after it", () => {
    const head = `-----BEGIN OPENSSH PRIVATE KEY-----\n${rep(MIX, 70)}\n${rep(MIX, 70)}`;
    expect(spans(`${head}\nthen my laptop crashed`)).toEqual([head]);
  });

  it("finds PEM keys inside JSON with \\n escapes", () => {
    const pem = `-----BEGIN PRIVATE KEY-----\\n${rep(MIX, 64)}\\n-----END PRIVATE KEY-----`;
    expect(spans(`{"private_key": "${pem}\\n"}`)).toEqual([pem]);
  });

  it("finds JWTs whose header decodes, not look-alikes", () => {
    const jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    expect(spans(`Bearer ${jwt}`)).toEqual([jwt]);
    expect(isJwtHeader("eyJhbGciOiJIUzI1NiJ9")).toBe(true);
    expect(isJwtHeader("eyJmb28iOiJiYXIifQ")).toBe(false); // {"foo":"bar"}: no alg
    expect(spans("eyJmb28iOiJiYXIifQ.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop")).toEqual([]);
  });

  it("finds passwords in connection URLs, and bearer/basic credentials", () => {
    expect(spans("MONGO_URI=mongodb+srv://admin:S3cr3tPa55w0rd@cluster0.ab1cd.mongodb.net/prod")).toEqual(["S3cr3tPa55w0rd"]);
    expect(spans("Authorization: Bearer 7f3c9a1e5b2d8f4a6c0e9b7d5a3f1c8e2b6d4a0f")).toEqual(["7f3c9a1e5b2d8f4a6c0e9b7d5a3f1c8e2b6d4a0f"]);
    expect(spans("Authorization: Basic c3ZjLWJpbGxpbmc6UjN2NGw5IXhRMg==")).toEqual(["c3ZjLWJpbGxpbmc6UjN2NGw5IXhRMg=="]);
  });
});

describe("generic key = value", () => {
  it("finds generated values behind secret-sounding names", () => {
    expect(spans('API_KEY="9f8e7d6c5b4a39281706f5e4d3c2b1a0"')).toEqual(["9f8e7d6c5b4a39281706f5e4d3c2b1a0"]);
    expect(spans("client_secret: Xk7pL9qR2sT5vW8yZ1bC4dF6gH9jK2mN")).toEqual(["Xk7pL9qR2sT5vW8yZ1bC4dF6gH9jK2mN"]);
    expect(spans("DB_PASSWORD=hunter2Hunter2!")).toEqual(["hunter2Hunter2!"]);
    expect(spans("My password is Summer2024!x, please reset it")).toEqual(["Summer2024!x"]);
  });

  it("ignores numbers, words, identifiers, descriptive names and placeholders", () => {
    expect(spans("max_tokens=4096, token_limit: 8192, key: value, primary_key = user_profile_id")).toEqual([]);
    expect(spans('"private_key_id": "1ea57292da54c07dcecaa7b17b75687a41601fe4"')).toEqual([]);
    expect(spans("OPENAI_API_KEY=${OPENAI_API_KEY} api_key=<your-api-key> password=changeme")).toEqual([]);
    expect(spans("AKIAIOSFODNN7EXAMPLE ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx password: ********")).toEqual([]);
    expect(spans("The key point is that tokens are cheap; the secret to good prompts is clarity.")).toEqual([]);
  });
});

describe("entropy helpers", () => {
  it("computes Shannon entropy", () => {
    expect(shannonEntropy("aaaa")).toBe(0);
    expect(shannonEntropy("abcd")).toBe(2);
    expect(shannonEntropy("")).toBe(0);
  });

  it("spots placeholders and generated strings", () => {
    expect(isPlaceholder("AKIAIOSFODNN7EXAMPLE")).toBe(true);
    expect(isPlaceholder("${OPENAI_API_KEY}")).toBe(true);
    expect(isPlaceholder("xxxxxxxx")).toBe(true);
    expect(looksGenerated("9f8e7d6c5b4a39281706f5e4d3c2b1a0")).toBe(true);
    expect(looksGenerated("max_tokens_per_request")).toBe(false);
    expect(looksGenerated("20240315")).toBe(false);
  });
});

describe("keyword pre-selection", () => {
  it("every keyword is lower-case ASCII of two or more characters (the pair table needs it)", () => {
    const bad = SECRET_RULES.flatMap((r) => r.keywords).filter((k) => k.length < 2 || /[^\x20-\x7e]/.test(k) || k !== k.toLowerCase());
    expect(bad).toEqual([]);
  });

  it("finds a key whose keyword overlaps a longer keyword at the same place elsewhere", () => {
    // `sk-ant-` (Anthropic) at one place must not hide `sk` (Twilio) at another.
    const anthropic = "sk-ant-api03-" + rep(MIX, 93) + "AA";
    const twilio = "SK" + rep("0123456789abcdef", 32);
    expect(spans(`first ${anthropic} then ${twilio}`)).toEqual([anthropic, twilio]);
  });

  it("finds keywords in mixed case, at the very start and at the very end of the text", () => {
    const github = "ghp_" + rep(MIX, 36);
    expect(spans(github)).toEqual([github]);
    expect(spans(`token: ${github}`)).toEqual([github]);
    expect(spans("x".repeat(5000) + " GHP_ is only a prefix")).toEqual([]);
  });

  it("finds nothing, and runs no rule, in prose without any keyword or candidate character", () => {
    expect(spans("Customer note: the order shipped on time and the customer was happy with support. ".repeat(125))).toEqual([]);
  });
});
