import { describe, expect, it } from "vitest";
import { compileDlpPolicy } from "../dlp";
import { activeDlpPolicy, compileGovernance, exemptionSteps, impliedClass } from "./runtime";
import { applyRefusal, approve, mergeProposal, reject, reviewPolicy, type ProposalState } from "./workflow";

const open: ProposalState = { id: "gp_1", author: "alice", status: "open", baseVersion: 2, approvals: [] };
const twoNeeded = { approvalsRequired: 2, approverRoles: ["admin", "auditor"] as const } as ReturnType<typeof reviewPolicy>;

describe("review workflow", () => {
  it("the author never approves; approver roles only; once per person; approved at the required count", () => {
    expect(approve(open, { sub: "alice", role: "admin" }, twoNeeded, "t")).toMatchObject({ status: 403 });
    expect(approve(open, { sub: "fin", role: "finance" }, twoNeeded, "t")).toMatchObject({ status: 403 });
    const first = approve(open, { sub: "bob", role: "auditor" }, twoNeeded, "t");
    expect(first).toMatchObject({ status: "open" });
    const afterBob = { ...open, approvals: (first as { approvals: ProposalState["approvals"] }).approvals };
    expect(approve(afterBob, { sub: "bob", role: "auditor" }, twoNeeded, "t")).toMatchObject({ status: 409 });
    expect(approve(afterBob, { sub: "dan", role: "admin" }, twoNeeded, "t")).toMatchObject({ status: "approved" });
    expect(approve({ ...open, status: "applied" }, { sub: "dan", role: "admin" }, twoNeeded, "t")).toMatchObject({ status: 409 });
  });

  it("apply needs approved, unchanged base and no consistency error; reject needs approver or author", () => {
    expect(applyRefusal({ ...open, status: "approved" }, 2, 0)).toBeNull();
    expect(applyRefusal(open, 2, 0)?.status).toBe(409);
    expect(applyRefusal({ ...open, status: "approved" }, 3, 0)?.reason).toMatch(/made against version 2/);
    expect(applyRefusal({ ...open, status: "approved" }, 2, 1)?.reason).toMatch(/no longer consistent/);
    expect(reject(open, { sub: "alice", role: "team-owner" }, twoNeeded)).toBeNull();
    expect(reject(open, { sub: "eve", role: "team-owner" }, twoNeeded)?.status).toBe(403);
  });

  it("the first proposal must be a full set; later ones merge over the live set", () => {
    expect(mergeProposal(undefined, { minutes: { meetings: [] } }).missing).toHaveLength(6);
    expect(reviewPolicy(undefined)).toEqual({ approvalsRequired: 1, approverRoles: ["admin", "auditor"] });
  });
});

describe("governance at the gateway", () => {
  const artifacts = JSON.stringify({
    classification: { classes: [{ id: "public", description: "" }], entity_types: { CREDIT_CARD: "restricted", EMAIL_ADDRESS: "internal" } },
    exemptions: { exemptions: [{ id: "EX-1", workload: "w", rule: "AUP-2", reason: "r", requested_by: "a", approver: "b", expires: "2026-12-31", effect: { dlp: { SECRET: "redact" } } }] },
  });

  it("the scheme's highest implied class wins", () => {
    const g = compileGovernance({ version: 1, artifacts }, []);
    expect(impliedClass(g, ["EMAIL_ADDRESS", "CREDIT_CARD"])).toBe("restricted");
    expect(impliedClass(g, ["EMAIL_ADDRESS", "IP_ADDRESS"])).toBe("internal");
    expect(impliedClass(g, [])).toBeUndefined();
    expect(impliedClass(undefined, ["CREDIT_CARD"])).toBeUndefined();
  });

  it("an exemption's DLP effect applies only until the end of its expiry day (UTC)", () => {
    const g = compileGovernance({ version: 1, artifacts }, []);
    const w = { dlpPolicy: compileDlpPolicy({}), exemptions: exemptionSteps(undefined, g.exemptionsByWorkload.get("w")!) };
    expect(activeDlpPolicy(w, Date.parse("2026-12-31T23:59:59Z")).actionFor("SECRET")).toEqual({ action: "redact" });
    expect(activeDlpPolicy(w, Date.parse("2027-01-01T00:00:00Z")).actionFor("SECRET")).toEqual({ action: "block" });
  });

  it("several exemptions of one workload hold together, each until its own expiry", () => {
    const ex = (id: string, until: string, dlp: Record<string, "allow" | "redact">) => ({ id, rule: "r", untilMs: Date.parse(until), dlpActions: dlp });
    const steps = exemptionSteps(undefined, [ex("late", "2027-06-01T00:00:00Z", { SECRET: "redact" }), ex("early", "2027-01-01T00:00:00Z", { PHONE_NUMBER: "allow" })]);
    const w = { dlpPolicy: compileDlpPolicy({}), exemptions: steps };
    const before = activeDlpPolicy(w, Date.parse("2026-12-01T00:00:00Z"));
    expect([before.actionFor("SECRET"), before.actionFor("PHONE_NUMBER")]).toEqual([{ action: "redact" }, { action: "allow" }]);
    const between = activeDlpPolicy(w, Date.parse("2027-03-01T00:00:00Z"));
    expect([between.actionFor("SECRET"), between.actionFor("PHONE_NUMBER")]).toEqual([{ action: "redact" }, { action: "raise", to: "internal" }]);
    expect(activeDlpPolicy(w, Date.parse("2027-07-01T00:00:00Z")).actionFor("SECRET")).toEqual({ action: "block" });
  });

  it("a broken stored part warns and is left out", () => {
    const warnings: string[] = [];
    const g = compileGovernance({ version: 4, artifacts: JSON.stringify({ classification: { nope: 1 } }) }, warnings);
    expect(g.entityClasses.size).toBe(0);
    expect(warnings[0]).toMatch(/governance v4: classification/);
  });
});
