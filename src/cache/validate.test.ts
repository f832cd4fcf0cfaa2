import { describe, expect, it } from "vitest";
import { normalised } from "./embed";
import { cachePolicyProblem } from "./validate";

describe("cache policy validation", () => {
  const embeddings = { kind: "embeddings" as const, data_classes: ["public" as const] };
  it("a semantic cache needs a catalog embeddings model that accepts the workload's class", () => {
    expect(cachePolicyProblem({ mode: "exact" }, "public", undefined)).toBeUndefined();
    expect(cachePolicyProblem({ mode: "semantic" }, "public", undefined)).toMatch(/required/);
    expect(cachePolicyProblem({ mode: "semantic", embedding_model: "x" }, "public", undefined)).toMatch(/not in the model catalog/);
    expect(cachePolicyProblem({ mode: "semantic", embedding_model: "x" }, "public", { kind: "chat", data_classes: ["public"] })).toMatch(/chat model/);
    expect(cachePolicyProblem({ mode: "semantic", embedding_model: "x" }, "internal", embeddings)).toMatch(/does not accept internal/);
    expect(cachePolicyProblem({ mode: "semantic", embedding_model: "x" }, "public", embeddings)).toBeUndefined();
  });

  it("vectors are L2-normalised; empty, zero or non-finite ones are refused", () => {
    expect(normalised([3, 4])).toEqual([0.6, 0.8]);
    for (const bad of [[], [0, 0], [1, Number.NaN], "x", [1, "2"]]) expect(normalised(bad)).toBeUndefined();
  });
});
