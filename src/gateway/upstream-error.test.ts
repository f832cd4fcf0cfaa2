import { describe, expect, it } from "vitest";
import type { AttemptFailure } from "../providers/execute";
import { scrubUpstreamText, upstreamFailure } from "./upstream-error";

const failed = (status: number, message: string, retryable = false): AttemptFailure => ({ kind: "status", status, retryable, error: { message, type: "invalid_request_error", code: null } });
const result = (...failures: AttemptFailure[]) => ({ ok: false as const, tried: failures.map((failure, i) => ({ provider: `p${i}`, model: "m", failure })), final: failures.at(-1) });
const LEAK = "Incorrect API key provided: sk-proj-AbC123xyz789***4567. You can find your API key at https://platform.openai.com/account/api-keys.";

describe("upstreamFailure never hands the client the provider's words about the gateway's key", () => {
  it("a provider refusing the gateway's credentials is a 502 naming the provider, without its text", () => {
    for (const status of [401, 403]) {
      const err = upstreamFailure(result(failed(status, LEAK)));
      expect(err.status).toBe(502);
      expect(err.code).toBe("upstream_auth_failed");
      expect(err.message).toContain("p0");
      expect(err.message).not.toContain("sk-proj");
      expect(err.message).not.toContain("Incorrect API key");
    }
  });
  it("other upstream messages pass on with key-shaped text masked", () => {
    const passed = upstreamFailure(result(failed(400, `bad request; header Authorization: Bearer abcdef123456 and key=AIzaSyFAKEFAKEFAKE1`)));
    expect(passed.status).toBe(400);
    expect(passed.message).not.toMatch(/abcdef123456|AIzaSy/);
    const listed = upstreamFailure(result(failed(500, `oops sk-live-123456789 leaked`, true)));
    expect(listed.status).toBe(502);
    expect(listed.message).not.toContain("sk-live-123456789");
  });
  it("leaves ordinary text alone", () => {
    expect(scrubUpstreamText("The model `gpt-x` does not exist or you do not have access to it.")).toBe("The model `gpt-x` does not exist or you do not have access to it.");
    expect(scrubUpstreamText("max_tokens is too large: 99999. This model supports at most 4096 completion tokens")).toContain("99999");
  });
});
