import { describe, expect, it } from "vitest";
import { DEMO_FILES } from "../../test/integration/governance-helpers";
import { checkArtifacts, checkClassification, checkClauses, checkExemptions, checkLive, checkMinutes, checkPolicyMapping, checkWorkloadModels } from "./check";
import { checkArtifactFiles, parseArtifactFiles } from "./files";
import type { ArtifactSet } from "./schemas";

const demo = (): ArtifactSet => parseArtifactFiles(DEMO_FILES).set!;
const TODAY = "2026-12-02";

describe("governance consistency checks", () => {
  it("the demo artifacts are consistent", () => {
    expect(checkArtifactFiles(DEMO_FILES, TODAY)).toEqual({ findings: [], ok: true });
  });

  it("schema errors name file and path; a missing file is an error", () => {
    const files = { ...DEMO_FILES, "exemptions.yaml": DEMO_FILES["exemptions.yaml"].replace(/\n\s+expires: .*\n/, "\n") };
    delete (files as Record<string, string>)["minutes.yaml"];
    const { findings, ok } = checkArtifactFiles(files, TODAY);
    expect(ok).toBe(false);
    expect(findings).toContainEqual(expect.objectContaining({ file: "minutes.yaml", path: "(file)", message: "file is missing" }));
    expect(findings).toContainEqual(expect.objectContaining({ file: "exemptions.yaml", path: "exemptions[0].expires" }));
  });

  it("workload models must be approved for the workload's class and zone", () => {
    const set = demo();
    const hr = set.workloads.workloads.findIndex((w) => w.id === "hr-assistant");
    set.workloads.workloads[hr].allowed_models.push("gpt-sim-mini", "nope");
    const research = set.workloads.workloads.findIndex((w) => w.id === "research-notebook");
    set.workloads.workloads[research].allowed_models.push("apac-sim");
    expect(checkWorkloadModels(set).map((f) => [f.path, f.message])).toEqual([
      [`workloads[${research}].allowed_models[2]`, "workload 'research-notebook': model 'apac-sim' is not approved for internal data in zone eu"],
      [`workloads[${hr}].allowed_models[1]`, "workload 'hr-assistant': model 'gpt-sim-mini' is not approved for restricted data"],
      [`workloads[${hr}].allowed_models[2]`, "workload 'hr-assistant': model 'nope' is not in the model catalog approvals"],
    ]);
  });

  it("exemptions: known rule and workload, unexpired, not self-approved", () => {
    const set = demo();
    set.exemptions.exemptions.push({ id: "EX-2", workload: "ghost", rule: "AUP-99", reason: "r", requested_by: "x", approver: "x", expires: "2026-12-01" });
    expect(checkExemptions(set, TODAY).map((f) => f.path)).toEqual(["exemptions[1].rule", "exemptions[1].workload", "exemptions[1].expires", "exemptions[1].approver"]);
    expect(checkExemptions(set, "2026-12-01").map((f) => f.path)).not.toContain("exemptions[1].expires");
  });

  it("every policy maps to a clause; every clause is implemented or not applicable with a reason", () => {
    const set = demo();
    set.acceptable_use.rules.push({ id: "AUP-9", title: "t", statement: "s", enforced_by: [] });
    expect(checkPolicyMapping(set)).toEqual([expect.objectContaining({ file: "acceptable-use.yaml", path: "rules[5]", message: expect.stringContaining("AUP-9") })]);
    const gdpr = set.regulatory_map.regulations[0];
    gdpr.clauses[3].not_applicable = undefined;
    gdpr.clauses[0].policies.push("AUP-42");
    expect(checkClauses(set).map((f) => f.path)).toEqual(["regulations[0].clauses[0].policies[2]", "regulations[0].clauses[3]"]);
  });

  it("minutes reference real changes (proposals and versions only when live state is known)", () => {
    const set = demo();
    set.minutes.meetings[0].decisions.push({ summary: "s", changes: [{ artifact: "exemptions", id: "EX-7" }, { proposal: "gp_x" }, { version: 3 }] });
    expect(checkMinutes(set).map((f) => `${f.severity} ${f.path}`)).toEqual(["warning meetings[0].decisions[2].changes[0]"]);
    expect(checkMinutes(set, { proposals: ["gp_x"], versions: [1] }).map((f) => `${f.severity} ${f.path}`)).toEqual([
      "warning meetings[0].decisions[2].changes[0]",
      "error meetings[0].decisions[2].changes[2]",
    ]);
  });

  it("the classification scheme declares every class it maps to", () => {
    const set = demo();
    set.classification.classes = set.classification.classes.filter((c) => c.id !== "internal");
    expect(checkClassification(set).map((f) => f.path)).toEqual(["classes", "entity_types.EMAIL_ADDRESS", "entity_types.PHONE_NUMBER"]);
  });

  it("live: a workload's model must exist in the live catalog and be approved", () => {
    const set = demo();
    const findings = checkLive(set, {
      workloads: [{ id: "w1", team: "t", data_class: "restricted", zone: "us", allowed_models: ["gpt-sim", "gpt-sim-mini", "ghost"] }],
      models: ["gpt-sim", "gpt-sim-mini", "eu-sim", "apac-sim", "embed-sim"],
    });
    expect(findings.map((f) => `${f.severity} ${f.file} ${f.path}`)).toEqual([
      "error live:workloads w1.allowed_models[1]",
      "error live:workloads w1.allowed_models[2]",
      "error live:workloads w1.allowed_models[2]",
    ]);
    expect(checkArtifacts(set, { today: TODAY, live: { workloads: [], models: [] } }).every((f) => f.severity === "warning")).toBe(true);
  });
});
