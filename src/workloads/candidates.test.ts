import { describe, expect, it } from "vitest";
import { simulatedModelList } from "../providers/simulated";
import { pinCandidate } from "./mark";
import { modelIds } from "./model-watcher";
import { newerVersion } from "./model-versions";

describe("candidate pinning and model listing", () => {
  const model = { id: "m", targets: [{ provider: "a", model: "x-2026-01-01", ttfb_timeout_ms: 900 }, { provider: "b", model: "y" }] };
  it("pins the candidate on its provider's target only, keeping the target's settings", () => {
    expect(pinCandidate(model, { provider: "a", model: "x-2026-10-01" })).toEqual({ id: "m", targets: [{ provider: "a", model: "x-2026-10-01", ttfb_timeout_ms: 900 }] });
    expect(pinCandidate(model, { provider: "c", model: "x" })).toBeUndefined();
    expect(model.targets[0].model).toBe("x-2026-01-01");
  });
  it("reads OpenAI/Anthropic-style model lists and ignores junk", () => {
    expect(modelIds({ object: "list", data: [{ id: "gpt-4o-mini-2026-10-01", object: "model" }, { id: 3 }, null, { id: "" }] })).toEqual(["gpt-4o-mini-2026-10-01"]);
    expect(modelIds({ error: "nope" })).toEqual([]);
    expect(modelIds(null)).toEqual([]);
  });
  it("the simulated provider lists a newer dated snapshot of its demo model, or its configured list", () => {
    expect(newerVersion("gpt-4o-mini-2024-07-18", simulatedModelList({}))).toBe("gpt-4o-mini-2026-10-01");
    expect(simulatedModelList({ models: " a-001, a-002 ,," })).toEqual(["a-001", "a-002"]);
  });
});
