import { describe, expect, it } from "vitest";
import { DEMO_FILES } from "../../test/integration/governance-helpers";
import { diffArtifacts } from "./diff";
import { parseArtifactFiles } from "./files";

const demo = () => parseArtifactFiles(DEMO_FILES).set!;

describe("governance diff", () => {
  it("names file and path per change; list items match by id, so an insertion is one entry", () => {
    const a = demo();
    const b = demo();
    b.acceptable_use.rules.splice(1, 0, { id: "AUP-0", title: "t", statement: "s", enforced_by: [] });
    b.classification.entity_types.CREDIT_CARD = "internal";
    b.workloads.workloads[0].allowed_models = ["gpt-sim"];
    b.exemptions.exemptions = [];
    expect(diffArtifacts(a, b)).toEqual([
      { file: "acceptable-use.yaml", path: "rules[AUP-0]", op: "added", after: { id: "AUP-0", title: "t", statement: "s", enforced_by: [] } },
      { file: "data-classification.yaml", path: "entity_types.CREDIT_CARD", op: "changed", before: "restricted", after: "internal" },
      { file: "workloads.yaml", path: "workloads[support-bot].allowed_models", op: "changed", before: ["gpt-sim", "gpt-sim-mini", "embed-sim"], after: ["gpt-sim"] },
      { file: "exemptions.yaml", path: "exemptions[EX-1]", op: "removed", before: a.exemptions.exemptions[0] },
    ]);
    expect(diffArtifacts(a, demo())).toEqual([]);
  });

  it("the first version diffs against nothing: one entry per file", () => {
    expect(diffArtifacts({}, demo()).map((d) => [d.file, d.path, d.op])).toHaveLength(7);
  });
});
