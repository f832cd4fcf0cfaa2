/**
 * @module
 * Tests of the stream scanner: secrets split across chunks, private keys, bounded hold-back.
 */
import { describe, expect, it } from "vitest";
import { applyDlp, compileDlpPolicy, createStreamScanner, scannerPassesThrough, type StreamScannerOptions } from ".";
import { chunk } from "./testing";

const policy = compileDlpPolicy({ actions: { EMAIL_ADDRESS: "redact", PHONE_NUMBER: "redact" } });
const MIX = "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5cD7eF9gH1jK3lM5nP7qR9sT1uV3wX5yZ7";
const STRIPE = "sk_live_" + MIX.slice(0, 24);
const OPENAI = "sk-proj-" + MIX.repeat(2).slice(0, 74) + "T3BlbkFJ" + MIX.repeat(2).slice(3, 77);

function run(chunks: readonly string[], options?: StreamScannerOptions, p = policy): string {
  const s = createStreamScanner(p, options);
  let out = "";
  for (const c of chunks) {
    const piece = s.push(c);
    expect(typeof piece).toBe("string");
    out += piece;
  }
  return out + s.end();
}

describe("stream scanner", () => {
  const text =
    `Sure! Here is the config you asked for. The key is ${STRIPE} and the OpenAI one is ${OPENAI}. ` +
    "Contact jane.doe@acme.io or (415) 555-0132, card 4111 1111 1111 1111. " +
    "That's all, let me know if anything else is needed. ".repeat(4);
  const expected = applyDlp(policy, text).redactedText;

  it("redacts a secret split at every possible chunk boundary", () => {
    for (let i = 0; i <= text.length; i += 1) {
      const out = run([text.slice(0, i), text.slice(i)]);
      expect(out, `split at ${i}`).toBe(expected);
    }
  });

  it("matches applyDlp under many random chunkings, and never emits a secret", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const out = run(chunk(text, seed, 1 + (seed % 9)));
      expect(out).toBe(expected);
      expect(out).not.toContain(STRIPE.slice(0, 12));
      expect(out).not.toContain("T3BlbkFJ");
    }
  });

  it("uses already-emitted text as context for a held candidate", () => {
    const ssnPolicy = compileDlpPolicy();
    const out = run(chunk("Employee SSN 432123456 needs correction in payroll today.", 7, 3), { holdBack: 8, minEmit: 1 }, ssnPolicy);
    expect(out).toBe("Employee SSN [US_SSN] needs correction in payroll today.");
  });

  it("replaces a private key streamed over many chunks with one [SECRET] and keeps what follows", () => {
    const body = Array.from({ length: 30 }, (_, i) => MIX.slice(i % 10, i % 10 + 60)).join("\n");
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    const s = createStreamScanner(policy);
    let out = "";
    for (const c of chunk(`Here you go:\n${pem}\nKeep it safe.`, 3, 7)) out += s.push(c);
    out += s.end();
    expect(out).toBe("Here you go:\n[SECRET]\nKeep it safe.");
    expect(s.summary()).toEqual({ types: ["SECRET"], blocked: ["SECRET"] });
  });

  it("drops an unterminated private key at the end of the stream", () => {
    const out = run(chunk(`key:\n-----BEGIN PRIVATE KEY-----\n${MIX}\n${MIX}`, 5, 6));
    expect(out).toBe("key:\n[SECRET]");
  });

  it("holds back a bounded amount, even for one endless token", () => {
    const s = createStreamScanner(policy, { holdBack: 64, maxHoldBack: 256, minEmit: 8 });
    let pushed = 0;
    let emitted = 0;
    for (let i = 0; i < 400; i++) {
      const c = i % 2 === 0 ? "abcdefghij" : "klmnopqrst"; // no spaces: one 4000-char run
      pushed += c.length;
      emitted += s.push(c).length;
      expect(pushed - emitted).toBeLessThanOrEqual(256 + 10);
    }
    emitted += s.end().length;
    expect(emitted).toBe(pushed);
  });

  it("masks a secret longer than maxHoldBack as far as it arrived and drops the rest of it", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ." + MIX.repeat(40); // ~2.8 KB signature
    const s = createStreamScanner(policy, { holdBack: 64, maxHoldBack: 512 });
    let out = "";
    for (const c of chunk(`token: ${jwt} done.`, 9, 8)) out += s.push(c);
    // Masked and emitted while the token was still streaming, not held until the end.
    expect(out).toBe("token: [SECRET]");
    out += s.end();
    expect(out).toBe("token: [SECRET] done.");
  });

  it("emits ordinary text unchanged, with at most holdBack + minEmit chars of delay", () => {
    const plain = "The quick brown fox jumps over the lazy dog. ".repeat(20);
    const s = createStreamScanner(policy);
    let out = "";
    for (const c of chunk(plain, 11, 5)) {
      out += s.push(c);
    }
    expect(plain.length - out.length).toBeLessThanOrEqual(128 + 16 + 5);
    expect(out + s.end()).toBe(plain);
  });

  it("reports types, blocked types and raise class without values", () => {
    const s = createStreamScanner(compileDlpPolicy());
    s.push(`mail jane@acme.io, key ${STRIPE} `);
    s.push("x".repeat(300));
    s.end();
    expect(s.summary()).toEqual({ types: ["EMAIL_ADDRESS", "SECRET"], blocked: ["SECRET"], raiseTo: "internal" });
  });

  it("passes text straight through when the policy is disabled", () => {
    const s = createStreamScanner(compileDlpPolicy({ enabled: false }));
    expect(s.push(STRIPE)).toBe(STRIPE);
    expect(s.end()).toBe("");
  });

  it("says when a scanner cannot change text, so callers may skip it", () => {
    expect(scannerPassesThrough(compileDlpPolicy({ enabled: false }))).toBe(true);
    expect(scannerPassesThrough(policy)).toBe(false);
    // No recognizer, but private-key blocks are still masked by the scanner itself.
    const keysOnly = compileDlpPolicy({ recognizers: [] });
    expect(scannerPassesThrough(keysOnly)).toBe(false);
    const body = `-----BEGIN RSA PRIVATE KEY-----\n${"MIIEow".repeat(50)}\n`;
    const key = `${body}-----END RSA PRIVATE KEY-----`;
    expect(run([body, "-----END RSA PRIVATE KEY----- done"], undefined, keysOnly)).toBe("[SECRET] done");
    const nothing = compileDlpPolicy({ recognizers: [], actions: { SECRET: "allow" } });
    expect(scannerPassesThrough(nothing)).toBe(true);
    const text = `${key} ${STRIPE} 4111 1111 1111 1111`;
    expect(run(chunk(text, 7, 9), undefined, nothing)).toBe(text);
  });
});
