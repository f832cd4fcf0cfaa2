/**
 * Governance as code, end to end through the admin API and the data plane: propose → approve →
 * apply → hash-chained versions → the classification scheme reaches the gateway → rollback; and
 * the refusals (self-approval, a role that may not approve, an inconsistent apply, a stale one).
 */
import { describe, expect, it } from "vitest";
import { versionHash } from "../../src/governance/chain";
import { admin, adminOk, chat, createOrg, eventually } from "./helpers";
import { demoSetFor, proposeApproveApply } from "./governance-helpers";

const CARD = "4111 1111 1111 1111";
const cardRequest = (tag: string) => ({ model: "sim-chat", max_tokens: 8, messages: [{ role: "user", content: `refund card ${CARD} please (${tag})` }] });

describe("governance workflow", () => {
  it("refuses self-approval and non-approver roles; applies an approved proposal as a hash-chained version", async () => {
    const org = await createOrg({ cache: { mode: "exact", ttl_s: 600 } });
    const created = await admin("POST", "/governance/proposals", { artifacts: demoSetFor([org]), rationale: "initial set" }, { sub: "alice", role: "admin" });
    expect(created.status).toBe(201);
    const p = await created.json<{ id: string; status: string; diff: Array<{ file: string }>; check: { ok: boolean } }>();
    expect(p.status).toBe("open");
    expect(p.check.ok).toBe(true);
    expect(p.diff.map((d) => d.file)).toContain("data-classification.yaml");

    const self = await admin("POST", `/governance/proposals/${p.id}/approve`, undefined, { sub: "alice", role: "admin" });
    expect(self.status).toBe(403);
    expect((await self.json<{ detail: string }>()).detail).toMatch(/cannot approve/);
    expect((await admin("POST", `/governance/proposals/${p.id}/approve`, undefined, { sub: "fin", role: "finance" })).status).toBe(403);
    // Not approved yet: apply is refused.
    expect((await admin("POST", `/governance/proposals/${p.id}/apply`, undefined, { sub: "carol", role: "admin" })).status).toBe(409);
    expect((await admin("POST", `/governance/proposals/${p.id}/approve`, undefined, { sub: "bob", role: "auditor" })).status).toBe(200);
    // An auditor may approve but not apply.
    expect((await admin("POST", `/governance/proposals/${p.id}/apply`, undefined, { sub: "bob", role: "auditor" })).status).toBe(403);
    const applied = await adminOk<{ version: number; sha256: string; prev_sha256: string | null; approvers: string[] }>("POST", `/governance/proposals/${p.id}/apply`);
    expect(applied).toMatchObject({ version: 1, prev_sha256: null, approvers: ["bob"] });
    const v1 = await adminOk<{ artifacts: unknown; sha256: string }>("GET", "/governance/versions/1");
    expect(await versionHash({ version: 1, prev_sha256: null, artifacts: v1.artifacts })).toBe(applied.sha256);
    // Applied proposals cannot be applied twice.
    expect((await admin("POST", `/governance/proposals/${p.id}/apply`)).status).toBe(409);
  });

  it("refuses an inconsistent apply and a stale one; rollback is a new version and the chain verifies", async () => {
    const org = await createOrg();
    const base = demoSetFor([org]);
    const v1 = await proposeApproveApply(base);
    // A brief naming a model the catalog does not approve for its class: the check finds it, apply refuses.
    const bad = structuredClone(base.workloads);
    bad.workloads.find((w) => w.id === org.workload)!.allowed_models.push("gpt-sim-mini");
    bad.workloads.find((w) => w.id === org.workload)!.data_class = "restricted";
    const created = await adminOk<{ id: string; check: { ok: boolean; errors: Array<{ file: string; path: string; message: string }> } }>(
      "POST", "/governance/proposals", { artifacts: { workloads: bad } },
    );
    expect(created.check.ok).toBe(false);
    expect(created.check.errors).toContainEqual(expect.objectContaining({
      file: "workloads.yaml", path: expect.stringMatching(/^workloads\[\d+\]\.allowed_models\[2\]$/), message: expect.stringMatching(/gpt-sim-mini.*not approved for restricted/),
    }));
    expect((await admin("POST", `/governance/proposals/${created.id}/approve`, undefined, { sub: "bob", role: "auditor" })).status).toBe(200);
    const refused = await admin("POST", `/governance/proposals/${created.id}/apply`);
    expect(refused.status).toBe(409);
    expect((await refused.json<{ errors: unknown[] }>()).errors.length).toBeGreaterThan(0);

    // Change: card numbers no longer imply restricted (v2); a proposal made against v1 is now stale.
    const stale = await adminOk<{ id: string }>("POST", "/governance/proposals", { artifacts: { minutes: base.minutes } });
    const loosened = structuredClone(base.classification);
    loosened.entity_types.CREDIT_CARD = "internal";
    const v2 = await proposeApproveApply({ classification: loosened });
    expect(v2.version).toBe(v1.version + 1);
    await eventually(async () => {
      const r = await chat(org.apiKey, cardRequest("v2"));
      await r.arrayBuffer();
      return r.headers.get("x-switchyard-data-class") === "internal";
    });
    expect((await admin("POST", `/governance/proposals/${stale.id}/approve`, undefined, { sub: "bob", role: "auditor" })).status).toBe(200);
    const staleApply = await admin("POST", `/governance/proposals/${stale.id}/apply`);
    expect(staleApply.status).toBe(409);
    expect((await staleApply.json<{ detail: string }>()).detail).toMatch(/made against version/);

    const diff = await adminOk<{ changes: Array<{ file: string; path: string; before: unknown; after: unknown }> }>("GET", `/governance/versions/${v1.version}/diff/${v2.version}`);
    expect(diff.changes).toEqual([{ file: "data-classification.yaml", path: "entity_types.CREDIT_CARD", op: "changed", before: "restricted", after: "internal" }]);

    // Rollback: v1's artifacts proposed again become v3.
    const old = await adminOk<{ artifacts: Record<string, unknown> }>("GET", `/governance/versions/${v1.version}`);
    const v3 = await proposeApproveApply(old.artifacts as never);
    await eventually(async () => {
      const r = await chat(org.apiKey, cardRequest("v3"));
      await r.arrayBuffer();
      return r.headers.get("x-switchyard-data-class") === "restricted";
    });
    const versions = await adminOk<{ data: Array<{ version: number; sha256: string; prev_sha256: string | null; author: string; approvers: string[]; applied_at: string }>; chain_valid: boolean }>("GET", "/governance/versions");
    expect(versions.chain_valid).toBe(true);
    expect(versions.data.map((v) => v.version).slice(-3)).toEqual([v1.version, v2.version, v3.version]);
    expect(versions.data.at(-1)).toMatchObject({ version: v3.version, prev_sha256: versions.data.at(-2)!.sha256, author: "alice", approvers: ["bob"] });
    const exported = await adminOk<{ version: number; files: Record<string, string> }>("GET", "/governance/export");
    expect(exported.version).toBe(v3.version);
    expect(exported.files["data-classification.yaml"]).toContain("CREDIT_CARD: restricted");
  });

  it("answers bad input with problem documents", async () => {
    const bad = await admin("POST", "/governance/proposals", { artifacts: { exemptions: { exemptions: [{ id: "EX-9", workload: "w", rule: "AUP-1", reason: "r", requested_by: "a", approver: "b" }] } } });
    expect(bad.status).toBe(400);
    const problem = await bad.json<{ errors: Array<{ path: string; message: string }> }>();
    expect(problem.errors[0].path).toBe("exemptions.yaml exemptions[0].expires");
    expect((await admin("GET", "/governance/versions/abc")).status).toBe(400);
    expect((await admin("GET", "/governance/versions/99")).status).toBe(404);
    expect((await admin("POST", "/governance/proposals/nope/approve", undefined, { sub: "bob", role: "auditor" })).status).toBe(404);
  });

  it("impact and what-if answer from the live version and recorded metadata", async () => {
    const org = await createOrg();
    await proposeApproveApply(demoSetFor([org]));
    const impact = await adminOk<{ policies: Array<{ id: string }>; workloads: string[]; teams: string[]; providers: string[] }>("GET", "/governance/impact?regulation=PCI-DSS&clause=3.4");
    expect(impact.policies.map((p) => p.id)).toEqual(["AUP-3"]);
    expect(impact.workloads).toContain(org.workload);
    expect(impact.teams).toContain(org.team);
    expect(impact.providers).toEqual(expect.arrayContaining(["sim-us", "sim-eu"]));
    expect((await admin("GET", "/governance/impact")).status).toBe(400);
    expect((await admin("GET", "/governance/impact?regulation=HIPAA")).status).toBe(404);

    const email = (i: number) => ({ model: "sim-chat", max_tokens: 4, messages: [{ role: "user", content: `write to jane.doe${i}@example.com` }] });
    const plain = { model: "sim-chat", max_tokens: 4, messages: [{ role: "user", content: "hello" }] };
    for (const body of [email(1), email(2), email(3), plain, plain]) expect((await chat(org.apiKey, body)).status).toBe(200);
    const replay = await eventually(async () => {
      const r = await adminOk<{ records: number; workloads: Array<{ workload: string; requests: number; current: { raised: number; blocked: number }; delta: { blocked: number; raised: number; cost_usd: number } }> }>(
        "POST", "/governance/what-if", { change: { workload: org.workload, dlp: { actions: { EMAIL_ADDRESS: "block" } } }, days: 1 },
      );
      return r.records === 5 ? r : undefined;
    });
    expect(replay.workloads).toHaveLength(1);
    expect(replay.workloads[0]).toMatchObject({ workload: org.workload, requests: 5, current: { raised: 3, blocked: 0 }, delta: { blocked: 3, raised: -3 } });
    expect(replay.workloads[0].delta.cost_usd).toBeLessThan(0);
    expect((await admin("POST", "/governance/what-if", { change: { workload: "ghost" } })).status).toBe(404);
    expect((await admin("POST", "/governance/what-if", { change: { dlp: { actions: { EMAIL_ADDRESS: "block" } } } })).status).toBe(400);
  });

  it("the number of approvals is itself policy, and concurrent approvals are never lost", async () => {
    const org = await createOrg();
    const set = demoSetFor([org]);
    set.acceptable_use.review.approvals_required = 2;
    await proposeApproveApply(set);
    const next = await adminOk<{ id: string }>("POST", "/governance/proposals", { artifacts: { minutes: set.minutes }, rationale: "two approvals now" });
    const answers = await Promise.all(["bob", "dan", "erin"].map((sub) => admin("POST", `/governance/proposals/${next.id}/approve`, undefined, { sub, role: "auditor" })));
    const ok = answers.filter((r) => r.status === 200).length;
    expect(answers.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const stored = await adminOk<{ status: string; approvals: Array<{ by: string }> }>("GET", `/governance/proposals/${next.id}`);
    // Every 200 is an approval on record (none overwritten by a racing one); two make it approved.
    expect(stored.approvals).toHaveLength(ok);
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(stored.status).toBe(ok >= 2 ? "approved" : "open");
    // One approval under a two-approval policy is not enough to apply.
    if (ok === 1) expect((await admin("POST", `/governance/proposals/${next.id}/apply`)).status).toBe(409);
  });
});
