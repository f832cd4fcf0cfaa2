import { describe, expect, it } from "vitest";
import { FORWARD_MAX_SKEW_SECONDS, signForward, verifyForward } from "./forward-signature";

const secret = "unit-forward-key";
const body = new TextEncoder().encode('{"model":"sim-chat"}');
const facts = { from: "us", to: "eu", ts: 1_767_225_600, method: "POST", target: "/v1/chat/completions", authorization: "Bearer sk-a", body };
const request = { method: facts.method, target: facts.target, authorization: facts.authorization, body };

describe("signed forwards", () => {
  it("verifies what it signed, naming sender and receiver", async () => {
    const header = await signForward(secret, facts);
    expect(header).toMatch(/^v1\.us\.eu\.1767225600\.[A-Za-z0-9_-]{43}$/);
    expect(await verifyForward(secret, header, request, facts.ts + 5)).toEqual({ ok: true, from: "us", to: "eu" });
  });

  it("is bound to the body, the path, the key, the method and the secret", async () => {
    const header = await signForward(secret, facts);
    const now = facts.ts;
    const other = new TextEncoder().encode('{"model":"sim-chat","x":1}');
    expect((await verifyForward(secret, header, { ...request, body: other }, now)).ok).toBe(false);
    expect((await verifyForward(secret, header, { ...request, target: "/v1/embeddings" }, now)).ok).toBe(false);
    expect((await verifyForward(secret, header, { ...request, authorization: "Bearer sk-b" }, now)).ok).toBe(false);
    expect((await verifyForward(secret, header, { ...request, method: "PUT" }, now)).ok).toBe(false);
    expect(await verifyForward("another-key", header, request, now)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("is bound to the origin the client called", async () => {
    const header = await signForward(secret, { ...facts, origin: "https://us.switchyard.example" });
    expect((await verifyForward(secret, header, { ...request, origin: "https://us.switchyard.example" }, facts.ts)).ok).toBe(true);
    expect((await verifyForward(secret, header, { ...request, origin: "https://evil.example" }, facts.ts)).ok).toBe(false);
    expect((await verifyForward(secret, header, request, facts.ts)).ok).toBe(false);
  });

  it("cannot be re-addressed or replayed late", async () => {
    const header = await signForward(secret, facts);
    const [v, , , ts, sig] = header.split(".");
    expect(await verifyForward(secret, [v, "us", "apac", ts, sig].join("."), request, facts.ts)).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verifyForward(secret, [v, "us", "eu", String(facts.ts + 1), sig].join("."), request, facts.ts)).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verifyForward(secret, header, request, facts.ts + FORWARD_MAX_SKEW_SECONDS + 1)).toEqual({ ok: false, reason: "stale" });
  });

  it("refuses what a client might make up", async () => {
    for (const forged of ["us", "v1.us.eu.1767225600.", "v1.US.eu.1767225600.abc", "v2.us.eu.1767225600." + "A".repeat(43), "v1.us.eu.x." + "A".repeat(43)]) {
      expect(await verifyForward(secret, forged, request, facts.ts)).toEqual({ ok: false, reason: "malformed" });
    }
  });
});
