/**
 * Governance test helpers: the demo artifacts from governance/ (loaded as text through Vite's
 * `?raw`, since workerd has no file system) adapted to a test organisation, and the
 * propose → approve → apply steps through the real admin API.
 */
import { expect } from "vitest";
import aup from "../../governance/acceptable-use.yaml?raw";
import classification from "../../governance/data-classification.yaml?raw";
import catalog from "../../governance/model-catalog.yaml?raw";
import exemptions from "../../governance/exemptions.yaml?raw";
import minutes from "../../governance/minutes.yaml?raw";
import regulatory from "../../governance/regulatory-map.yaml?raw";
import workloads from "../../governance/workloads.yaml?raw";
import { parseArtifactFiles } from "../../src/governance/files";
import type { ArtifactSet } from "../../src/governance/schemas";
import { admin, type TestOrg } from "./helpers";

export const DEMO_FILES: Record<string, string> = {
  "acceptable-use.yaml": aup, "data-classification.yaml": classification, "model-catalog.yaml": catalog, "exemptions.yaml": exemptions,
  "minutes.yaml": minutes, "regulatory-map.yaml": regulatory, "workloads.yaml": workloads,
};

/** The demo set plus approvals and a brief for the test org's models and workload. */
export function demoSetFor(orgs: TestOrg[], zone: "us" | "eu" | "apac" = "us"): ArtifactSet {
  const { set } = parseArtifactFiles(DEMO_FILES);
  if (!set) throw new Error("demo governance artifacts do not parse");
  set.catalog.approvals.push(
    { model: "sim-chat", data_classes: ["public", "internal", "restricted"], zones: ["us", "eu"], approved_by: "test" },
    { model: "sim-embed", data_classes: ["public", "internal"], zones: ["us"], approved_by: "test" },
  );
  for (const org of orgs) {
    set.workloads.workloads.push({ id: org.workload, team: org.team, purpose: "test", owner: "test", data_class: "public", zone, allowed_models: ["sim-chat", "sim-embed"] });
  }
  return set;
}

/** Proposes as `author`, approves as an auditor, applies as admin; returns the applied version. */
export async function proposeApproveApply(artifacts: Partial<ArtifactSet>, author = "alice"): Promise<{ version: number; sha256: string; proposal: string }> {
  const created = await admin("POST", "/governance/proposals", { artifacts, rationale: "test" }, { sub: author, role: "admin" });
  expect(created.status).toBe(201);
  const p = await created.json<{ id: string; check: { ok: boolean; errors: unknown[] } }>();
  expect(p.check.errors).toEqual([]);
  expect((await admin("POST", `/governance/proposals/${p.id}/approve`, undefined, { sub: "bob", role: "auditor" })).status).toBe(200);
  const applied = await admin("POST", `/governance/proposals/${p.id}/apply`, undefined, { sub: "carol", role: "admin" });
  expect(applied.status).toBe(200);
  return { ...(await applied.json<{ version: number; sha256: string }>()), proposal: p.id };
}
