/**
 * @module
 * Tests of the policy schema, compileDlpPolicy and applyDlp (redact, block, raise, custom).
 */
import { describe, expect, it } from "vitest";
import { applyDlp, compileDlpPolicy, DlpPolicyConfig } from ".";

const GITHUB = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5";

describe("DlpPolicyConfig schema", () => {
  it("applies defaults", () => {
    const parsed = DlpPolicyConfig.parse({});
    expect(parsed).toMatchObject({ enabled: true, min_score: 0.5, raise_to: "restricted", default_action: "redact", custom: [] });
  });

  it("refuses unknown fields, bad type names, built-in names for custom types and unsafe patterns", () => {
    expect(DlpPolicyConfig.safeParse({ surprise: 1 }).success).toBe(false);
    expect(DlpPolicyConfig.safeParse({ actions: { "email": "redact" } }).success).toBe(false);
    expect(DlpPolicyConfig.safeParse({ actions: { EMAIL_ADDRESS: "shred" } }).success).toBe(false);
    expect(DlpPolicyConfig.safeParse({ custom: [{ type: "SECRET", pattern: "x\\d" }] }).success).toBe(false);
    const unsafe = DlpPolicyConfig.safeParse({ custom: [{ type: "EVIL", pattern: "(a)\\1" }] });
    expect(unsafe.success).toBe(false);
    expect(JSON.stringify(unsafe.error?.issues)).toMatch(/not a valid RE2 expression/);
  });

  it("compileDlpPolicy throws on an invalid config and caches per config object", () => {
    expect(() => compileDlpPolicy({ min_score: 2 })).toThrow();
    const config = { actions: { IP_ADDRESS: "redact" as const } };
    expect(compileDlpPolicy(config)).toBe(compileDlpPolicy(config));
    expect(compileDlpPolicy({ ...config })).not.toBe(compileDlpPolicy(config));
  });
});

describe("applyDlp", () => {
  it("default policy: blocks secrets, redacts cards/SSNs/IBANs, raises on contact data, allows IPs", () => {
    const policy = compileDlpPolicy();
    const text = `Jane (jane@acme.io) card 4111 1111 1111 1111, SSN 536-90-4399, host 10.0.0.12, token ${GITHUB}`;
    const result = applyDlp(policy, text);
    expect(result.blocked).toEqual(["SECRET"]);
    expect(result.raiseTo).toBe("internal");
    expect(result.redactedText).toBe(
      "Jane (jane@acme.io) card [CREDIT_CARD], SSN [US_SSN], host 10.0.0.12, token [SECRET]",
    );
    expect(result.findings.map((f) => f.type)).toEqual(["EMAIL_ADDRESS", "CREDIT_CARD", "US_SSN", "IP_ADDRESS", "SECRET"]);
  });

  it("returns no matched values anywhere but in the redacted text's untouched parts", () => {
    const result = applyDlp(compileDlpPolicy(), `token ${GITHUB} and card 4111 1111 1111 1111`);
    const serialized = JSON.stringify(result);
    expect(serialized).not.toContain(GITHUB);
    expect(serialized).not.toContain("4111 1111 1111 1111");
    for (const f of result.findings) expect(Object.keys(f).sort()).toEqual(["end", "score", "start", "type"]);
  });

  it("redact action replaces spans with [TYPE]", () => {
    const policy = compileDlpPolicy({ actions: { EMAIL_ADDRESS: "redact", PHONE_NUMBER: "redact" } });
    const r = applyDlp(policy, "write to jane@acme.io or call (415) 555-0132.");
    expect(r.redactedText).toBe("write to [EMAIL_ADDRESS] or call [PHONE_NUMBER].");
    expect(r.blocked).toEqual([]);
    expect(r.raiseTo).toBeUndefined();
  });

  it("raise uses the per-type class, else raise_to; restricted wins over internal", () => {
    const policy = compileDlpPolicy({ actions: { US_SSN: "raise" }, raise_to: "restricted" });
    expect(applyDlp(policy, "mail jane@acme.io").raiseTo).toBe("internal");
    expect(applyDlp(policy, "mail jane@acme.io, SSN 536-90-4399").raiseTo).toBe("restricted");
    expect(applyDlp(policy, "SSN 536-90-4399").redactedText).toBe("SSN 536-90-4399"); // raise does not mask
  });

  it("allow passes text and still reports findings", () => {
    const policy = compileDlpPolicy({ actions: { SECRET: "allow" } });
    const r = applyDlp(policy, `token ${GITHUB}`);
    expect(r.blocked).toEqual([]);
    expect(r.redactedText).toBe(`token ${GITHUB}`);
    expect(r.findings).toHaveLength(1);
  });

  it("compiles custom patterns with their own action, and default_action for the rest", () => {
    const policy = compileDlpPolicy({
      custom: [
        { type: "EMPLOYEE_ID", pattern: "EMP-\\d{6}", context: ["employee", "badge"], action: "redact" },
        { type: "PROJECT_CODE", pattern: "PRJ-[A-Z]{4}" },
        { type: "CODENAME", pattern: "Project Nightjar", action: { action: "raise", to: "restricted" } },
      ],
      default_action: "block",
    });
    const r = applyDlp(policy, "employee EMP-004211 works on PRJ-ABCD (Project Nightjar)");
    expect(r.redactedText).toBe("employee [EMPLOYEE_ID] works on [PROJECT_CODE] (Project Nightjar)");
    expect(r.blocked).toEqual(["PROJECT_CODE"]);
    expect(r.raiseTo).toBe("restricted");
  });

  it("can restrict built-in recognizers, raise the threshold, or be disabled", () => {
    const onlyEmail = compileDlpPolicy({ recognizers: ["EMAIL_ADDRESS"] });
    expect(applyDlp(onlyEmail, `jane@acme.io ${GITHUB}`).findings.map((f) => f.type)).toEqual(["EMAIL_ADDRESS"]);
    const strict = compileDlpPolicy({ min_score: 0.95 });
    expect(applyDlp(strict, "applicant 601-42-8873").findings).toEqual([]);
    const off = compileDlpPolicy({ enabled: false });
    expect(applyDlp(off, `token ${GITHUB}`)).toEqual({ findings: [], redactedText: `token ${GITHUB}`, blocked: [] });
  });
});
