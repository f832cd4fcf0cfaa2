import { describe, expect, it } from "vitest";
import { compileBundle } from "../config/bundle";
import { GatewayError } from "../errors/openai";
import { parseJsonBody } from "./body";
import { authorizeKey, authorizeModel, bearerToken, declaredDataClass, effectiveDataClass, requestApiKey } from "./policy";

const bundle = compileBundle(
  {
    version: 1,
    providers: [{ id: "p", spec: JSON.stringify({ type: "simulated", region: "us" }), secret: null }],
    models: [
      { id: "open", spec: JSON.stringify({ targets: [{ provider: "p", model: "x" }], data_classes: ["public", "internal"], price: { input_per_mtok: 1, output_per_mtok: 1 } }) },
      { id: "other", spec: JSON.stringify({ targets: [{ provider: "p", model: "x" }], data_classes: ["public"], price: { input_per_mtok: 1, output_per_mtok: 1 } }) },
    ],
    teams: [{ id: "t", spec: JSON.stringify({ monthly_budget_usd: 1, rpm: 1, tpm: 1, residency: "us" }) }],
    workloads: [{ id: "w", spec: JSON.stringify({ team: "t", default_data_class: "public", allowed_models: ["open"], lifecycle: "production" }) }],
    keys: [
      { id: "k", hash: "good", prefix: "p", workload: "w", team: "t", expiresAt: null, revokedAt: null },
      { id: "old", hash: "expired", prefix: "p", workload: "w", team: "t", expiresAt: "2020-01-01T00:00:00Z", revokedAt: null },
    ],
  },
  0,
);

const status = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as GatewayError).status;
  }
  return 200;
};

describe("policy", () => {
  it("parses bearer tokens strictly", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(status(() => bearerToken(null))).toBe(401);
    expect(status(() => bearerToken("Basic abc"))).toBe(401);
    expect(status(() => bearerToken("Bearer a b"))).toBe(401);
  });
  it("authorizes keys", () => {
    expect(authorizeKey(bundle, "good", Date.now()).team.id).toBe("t");
    expect(status(() => authorizeKey(bundle, "nope", Date.now()))).toBe(401);
    expect(status(() => authorizeKey(bundle, "expired", Date.now()))).toBe(401);
  });
  it("takes the highest data class; a lower declaration never lowers it", () => {
    expect(effectiveDataClass("internal", "public")).toBe("internal");
    expect(effectiveDataClass("public", "restricted", undefined)).toBe("restricted");
    expect(declaredDataClass(" Internal ")).toBe("internal");
    expect(status(() => declaredDataClass("top-secret"))).toBe(400);
  });
  it("answers 404 for unknown models and 403 naming the rule otherwise", () => {
    const caller = authorizeKey(bundle, "good", 0);
    expect(authorizeModel(bundle, caller, "open", "chat", "internal").id).toBe("open");
    expect(status(() => authorizeModel(bundle, caller, "ghost", "chat", "public"))).toBe(404);
    expect(status(() => authorizeModel(bundle, caller, "other", "chat", "public"))).toBe(403);
    expect(status(() => authorizeModel(bundle, caller, "open", "chat", "restricted"))).toBe(403);
    expect(status(() => authorizeModel(bundle, caller, "open", "embeddings", "public"))).toBe(400);
  });
});

describe("parseJsonBody", () => {
  it("accepts objects and refuses everything else with 400", () => {
    expect(parseJsonBody('{"a":{"b":1}}')).toEqual({ a: { b: 1 } });
    for (const bad of ["", "[]", "1", "{", '{"__proto__":1}', '{"a":{"constructor":{}}}', "[".repeat(100) + "]".repeat(100)]) {
      expect(status(() => parseJsonBody(bad))).toBe(400);
    }
  });
});

describe("requestApiKey", () => {
  it("takes Authorization: Bearer first, else x-api-key (Anthropic SDKs); refuses a missing or malformed key with a 401", () => {
    expect(requestApiKey(new Headers({ authorization: "Bearer sk-a", "x-api-key": "sk-b" }))).toBe("sk-a");
    expect(requestApiKey(new Headers({ "x-api-key": " sk-b " }))).toBe("sk-b");
    const refused: Array<Record<string, string>> = [{}, { "x-api-key": "two words" }, { authorization: "Basic abc", "x-api-key": "sk-b" }];
    for (const headers of refused) {
      let err: unknown;
      try {
        requestApiKey(new Headers(headers));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).status).toBe(401);
    }
  });
});
