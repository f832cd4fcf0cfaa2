import { describe, expect, it } from "vitest";
import { DEMO_FILES } from "../../test/integration/governance-helpers";
import type { LiveWorkload } from "./check";
import { parseArtifactFiles } from "./files";
import { regulatoryImpact } from "./impact";

const set = parseArtifactFiles(DEMO_FILES).set!;
const workloads: LiveWorkload[] = set.workloads.workloads.map((w) => ({ id: w.id, team: w.team, data_class: w.data_class, zone: w.zone, allowed_models: w.allowed_models }));
const providers = new Map([["eu-sim", ["sim-eu"]], ["gpt-sim", ["sim-us-primary", "sim-us-backup", "sim-eu"]], ["apac-sim", ["sim-apac"]]]);

describe("regulatory impact", () => {
  it("GDPR Art.44 reaches AUP-1 and the EU workloads, their teams and providers", () => {
    expect(regulatoryImpact(set, { regulation: "GDPR", clause: "Art.44" }, workloads, providers)).toEqual({
      regulation: "GDPR",
      clauses: [{ id: "Art.44", title: "Transfers to third countries" }],
      policies: [{ id: "AUP-1", title: "Use only approved models", enforced_by: ["catalog", "residency"] }],
      workloads: ["hr-assistant", "research-notebook"],
      teams: ["people", "research"],
      models: ["eu-sim", "gpt-sim"],
      providers: ["sim-eu", "sim-us-backup", "sim-us-primary"],
    });
  });

  it("a not-applicable clause reaches nothing; unknown names answer undefined", () => {
    expect(regulatoryImpact(set, { regulation: "gdpr", clause: "art.22" }, workloads, providers)).toMatchObject({ policies: [], workloads: [], clauses: [{ not_applicable: expect.any(String) }] });
    expect(regulatoryImpact(set, { regulation: "HIPAA" }, workloads, providers)).toBeUndefined();
    expect(regulatoryImpact(set, { regulation: "GDPR", clause: "Art.99" }, workloads, providers)).toBeUndefined();
  });
});
