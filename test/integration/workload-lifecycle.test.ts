/**
 * Workload lifecycle end to end: criteria for production (≥ 100-example dataset, coverage,
 * passing adversarial gate, owner) named in refusals, second-person approval, deprecation with
 * Sunset/Warning headers and 403 after the sunset, decommissioning that revokes keys, archives
 * datasets and releases budget, and the kept history.
 */
import { describe, expect, it } from "vitest";
import { admin, adminOk, chat, createOrg } from "./helpers";
import { example, jsonl, runToCompletion, upload } from "./evals-helpers";

const bob = { sub: "bob@acme.example", role: "admin" as const };

describe("workload lifecycle", { timeout: 90_000 }, () => {
  it("staging → production needs every criterion, then a second person's approval", async () => {
    const org = await createOrg();
    const spec = { team: org.team, default_data_class: "public", allowed_models: ["sim-chat"], input_categories: ["a", "b"] };
    // Lifecycle changes through PUT are refused: they have criteria.
    const put = await admin("PUT", `/workloads/${org.workload}`, { ...spec, lifecycle: "staging" });
    expect(put.status).toBe(409);
    expect(((await put.json()) as { detail: string }).detail).toContain("/transitions");
    const wl = `${org.workload}-s`;
    await adminOk("PUT", `/workloads/${wl}`, { ...spec, lifecycle: "staging" });
    const refused = await admin("POST", `/workloads/${wl}/transitions`, { to: "production", reason: "launch" });
    expect(refused.status).toBe(422);
    const detail = ((await refused.json()) as { detail: string }).detail;
    expect(detail).toMatch(/golden dataset of at least 100 examples \(none uploaded\)/);
    expect(detail).toMatch(/adversarial gate \(no adversarial run yet\)/);
    expect(detail).toMatch(/an owner/);

    // 60 examples in one category: too few, and coverage 0.5.
    const small = Array.from({ length: 60 }, (_, i) => example("a", `question ${i}`, [{ type: "regex", pattern: "\\w" }]));
    await upload(wl, jsonl(small));
    await adminOk("PUT", `/workloads/${wl}`, { ...spec, lifecycle: "staging", owner: "ann@acme.example" });
    const again = ((await (await admin("POST", `/workloads/${wl}/transitions`, { to: "production", reason: "launch" })).json()) as { detail: string }).detail;
    expect(again).toMatch(/v1 has 60/);
    expect(again).toMatch(/coverage of at least 0.8 \(v1 covers 0.50\)/);
    expect(again).not.toMatch(/an owner/);

    const full = [...small, ...Array.from({ length: 45 }, (_, i) => example("b", `other ${i}`, [{ type: "regex", pattern: "\\w" }]))];
    await upload(wl, jsonl(full));
    const adv = await runToCompletion({ workload: wl, suite: "adversarial" });
    expect(adv.pass_rate!).toBeGreaterThanOrEqual(0.8);
    await adminOk("PUT", `/workloads/${wl}`, { ...spec, lifecycle: "staging", owner: "ann@acme.example", adversarial_gate: 0.8 });

    const pending = await admin("POST", `/workloads/${wl}/transitions`, { to: "production", reason: "launch" });
    expect(pending.status).toBe(202);
    const t = (await pending.json()) as { id: string; status: string };
    expect(t.status).toBe("pending");
    expect((await adminOk<{ lifecycle: string }>("GET", `/workloads/${wl}`)).lifecycle).toBe("staging");
    // The requester cannot approve their own transition.
    expect((await admin("POST", `/workloads/${wl}/transitions/${t.id}/approve`)).status).toBe(403);
    const approved = await admin("POST", `/workloads/${wl}/transitions/${t.id}/approve`, undefined, bob);
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ status: "applied", approved_by: bob.sub, from: "staging", to: "production" });
    expect((await adminOk<{ lifecycle: string }>("GET", `/workloads/${wl}`)).lifecycle).toBe("production");
    const history = await adminOk<{ data: Array<{ to: string; requested_by: string; approved_by: string }> }>("GET", `/workloads/${wl}/transitions`);
    expect(history.data[0]).toMatchObject({ to: "production", requested_by: "test-admin", approved_by: bob.sub });
  });

  it("an adversarial gate the workload does not pass blocks production", async () => {
    const org = await createOrg();
    const wl = `${org.workload}-g`;
    const spec = { team: org.team, default_data_class: "public", allowed_models: ["sim-chat"], lifecycle: "staging", owner: "ann", adversarial_gate: 0.99 };
    await adminOk("PUT", `/workloads/${wl}`, spec);
    await upload(wl, jsonl(Array.from({ length: 100 }, (_, i) => example("a", `q${i}`))));
    await runToCompletion({ workload: wl, suite: "adversarial" });
    const res = await admin("POST", `/workloads/${wl}/transitions`, { to: "production", reason: "launch" });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/adversarial gate \(run run_\w+ passed 0\.\d\d < 0.99\)/);
  });

  it("deprecated: needs sunset and plan, answers carry Sunset/Warning, keys stop after the sunset; decommission reclaims", async () => {
    const org = await createOrg();
    await adminOk("PUT", `/workloads/${org.workload}`, { team: org.team, default_data_class: "public", allowed_models: ["sim-chat"], lifecycle: "production", limits: { budget_usd: 25 } });
    await upload(org.workload, jsonl([example("a", "x")]));
    const missing = await admin("POST", `/workloads/${org.workload}/transitions`, { to: "deprecated", reason: "replaced by v2" });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { detail: string }).detail).toMatch(/sunset date.*migration plan/);

    const sunset = new Date(Date.now() + 3_000).toISOString();
    const dep = await admin("POST", `/workloads/${org.workload}/transitions`, { to: "deprecated", reason: "replaced by v2", sunset_at: sunset, migration_plan: "Move to workload support-v2 by Friday" });
    expect(dep.status).toBe(201);
    const ok = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "still here?" }] });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("sunset")).toBe(new Date(sunset).toUTCString());
    expect(ok.headers.get("warning")).toMatch(/^299 switchyard "Workload .* is deprecated and stops working at .*migration plan: Move to workload support-v2/);

    await new Promise((r) => setTimeout(r, 3_500));
    const gone = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "still here?" }] });
    expect(gone.status).toBe(403);
    const err = (await gone.json()) as { error: { code: string; message: string } };
    expect(err.error.code).toBe("workload_sunset");
    expect(err.error.message).toContain(new Date(sunset).toISOString());

    const dec = await admin("POST", `/workloads/${org.workload}/transitions`, { to: "decommissioned", reason: "sunset passed" });
    expect(dec.status).toBe(202);
    const { id } = (await dec.json()) as { id: string };
    const applied = await admin("POST", `/workloads/${org.workload}/transitions/${id}/approve`, undefined, bob);
    expect(((await applied.json()) as { detail: { reclaimed: { released_budget_usd: number } } }).detail.reclaimed.released_budget_usd).toBe(25);
    expect((await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "hi" }] })).status).toBe(401);
    const keys = await adminOk<{ data: Array<{ workload: string; revoked_at: string | null }> }>("GET", `/keys?team=${org.team}`);
    expect(keys.data.filter((k) => k.workload === org.workload).every((k) => k.revoked_at !== null)).toBe(true);
    const ds = await adminOk<{ data: Array<{ archived_at: string | null }> }>("GET", `/workloads/${org.workload}/datasets`);
    expect(ds.data[0].archived_at).not.toBeNull();
    expect((await admin("POST", `/workloads/${org.workload}/transitions`, { to: "dev", reason: "revive" })).status).toBe(422);
  });
});
