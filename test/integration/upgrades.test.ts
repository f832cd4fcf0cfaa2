/**
 * Model upgrades: a candidate version of a catalog target (recorded by an admin or found by the
 * provider model-list watcher) is evaluated with the golden and adversarial suites on eval-jobs
 * while production keeps serving the catalog; the recommendation (promote, or flag with the
 * regressions) is accepted by a person, which changes the catalog through its versioned path.
 * A direct catalog PUT is still re-evaluated after the fact.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cronJobs, cronSchedule } from "../../workers/cron";
import { runModelWatcher } from "../../src/workloads/model-watcher";
import { admin, adminOk, adminToken, BASE, chat, createOrg, eventually } from "./helpers";
import { example, jsonl, runToCompletion, upload, type RunView } from "./evals-helpers";

interface Rec {
  id: string; candidate_id: string | null; workload: string; decision: string; regressions: string[]; baseline_run: string | null;
  candidate_run: string; candidate: unknown; status: string; accepted_by: string | null; catalog_version?: number | null;
}
interface Candidate { id: string; model: string; provider: string; from_model: string; to_model: string; status: string; source: string; created: boolean; recommendations: string[]; reason: string | null }

const spec = (version: string) => ({ targets: [{ provider: "sim-us", model: version }], data_classes: ["public"], price: { input_per_mtok: 1, output_per_mtok: 2 } });

/** A workload on its own catalog model with a 6-example golden dataset. */
async function setup(opts: { version: string; gate?: number }) {
  const org = await createOrg();
  const model = `up-${org.workload}`;
  await adminOk("PUT", `/models/${model}`, spec(opts.version));
  await adminOk("PUT", `/workloads/${org.workload}`, {
    team: org.team, default_data_class: "public", allowed_models: [model], lifecycle: "production", ...(opts.gate !== undefined ? { adversarial_gate: opts.gate } : {}),
  });
  await upload(org.workload, jsonl(Array.from({ length: 6 }, (_, i) => example("a", `question ${i}`, [{ type: "regex", pattern: "\\w+" }]))));
  return { org, model };
}

async function decided(workload: string, candidateId?: string): Promise<Rec> {
  return eventually(async () => {
    const list = await adminOk<{ data: Rec[] }>("GET", "/evals/recommendations");
    const mine = list.data.find((r) => r.workload === workload && (candidateId === undefined || r.candidate_id === candidateId));
    return mine && mine.decision !== "pending" ? mine : undefined;
  }, 60_000);
}

const auditActions = async (model: string) =>
  (await env.DB.prepare("SELECT action FROM audit_log WHERE resource = ? ORDER BY id").bind(`models/${model}`).all<{ action: string }>()).results.map((r) => r.action);

describe("model upgrades evaluated as candidates before promotion", { timeout: 120_000 }, () => {
  it("evaluates a candidate while production keeps the catalog; accepting promote changes the catalog through its versioned path", async () => {
    const { org, model } = await setup({ version: "sim-chat-2026-01-01" });
    const baseline = await runToCompletion({ workload: org.workload, suite: "golden" });

    const cand = await adminOk<Candidate>("POST", `/models/${model}/candidates`, { provider: "sim-us", model: "sim-chat-2026-06-01" });
    expect(cand).toMatchObject({ created: true, status: "evaluating", from_model: "sim-chat-2026-01-01", to_model: "sim-chat-2026-06-01", source: "admin" });
    expect(cand.recommendations).toHaveLength(1);
    // Production is untouched: the catalog and live traffic stay on the current version.
    expect((await adminOk<{ targets: Array<{ model: string }> }>("GET", `/models/${model}`)).targets[0].model).toBe("sim-chat-2026-01-01");
    const live = await chat(org.apiKey, { model, messages: [{ role: "user", content: "hello" }] });
    expect(live.headers.get("x-switchyard-model")).toBe("sim-chat-2026-01-01");
    await live.arrayBuffer();

    const rec = await decided(org.workload, cand.id);
    expect(rec).toMatchObject({ decision: "promote", regressions: [], baseline_run: baseline.id, candidate: [{ provider: "sim-us", from_model: "sim-chat-2026-01-01", model: "sim-chat-2026-06-01" }] });
    // The candidate run called the pinned version through the pipeline, labelled as eval usage.
    const run = await adminOk<RunView & { candidate: unknown }>("GET", `/evals/runs/${rec.candidate_run}`);
    expect(run.candidate).toEqual({ provider: "sim-us", model: "sim-chat-2026-06-01" });
    expect(run.results.map((r) => r.detail.upstream_model)).toEqual(Array(6).fill("sim-chat-2026-06-01"));
    const usage = await eventually(() => env.DB.prepare("SELECT detail FROM usage_events WHERE request_id = ?").bind(run.results[0].request_id).first<{ detail: string }>());
    expect(JSON.parse(usage.detail).eval).toMatchObject({ run: rec.candidate_run, candidate: { provider: "sim-us", model: "sim-chat-2026-06-01" } });
    // Still nothing live changed while the runs went on.
    expect((await adminOk<{ targets: Array<{ model: string }> }>("GET", `/models/${model}`)).targets[0].model).toBe("sim-chat-2026-01-01");

    const versionBefore = (await env.DB.prepare("SELECT version FROM config_version WHERE id = 1").first<{ version: number }>())!.version;
    const accepted = await adminOk<Rec>("POST", `/evals/recommendations/${rec.id}/accept`);
    expect(accepted).toMatchObject({ status: "accepted", accepted_by: "test-admin" });
    expect(accepted.catalog_version).toBeGreaterThan(versionBefore);
    expect((await adminOk<{ targets: Array<{ model: string }> }>("GET", `/models/${model}`)).targets[0].model).toBe("sim-chat-2026-06-01");
    expect(await auditActions(model)).toContain("model.candidate.promote");
    const served = await eventually(async () => {
      const r = await chat(org.apiKey, { model, messages: [{ role: "user", content: "hello again" }] });
      await r.arrayBuffer();
      return r.headers.get("x-switchyard-model") === "sim-chat-2026-06-01";
    });
    expect(served).toBe(true);
    const candidates = await adminOk<{ data: Candidate[] }>("GET", `/models/${model}/candidates`);
    expect(candidates.data).toMatchObject([{ id: cand.id, status: "promoted" }]);
    // Recording the same candidate again starts nothing; accepting twice changes nothing.
    const again = await adminOk<Candidate>("POST", `/models/${model}/candidates`, { provider: "sim-us", model: "sim-chat-2026-06-01" });
    expect(again).toMatchObject({ created: false, id: cand.id, status: "promoted" });
    expect((await adminOk<Rec>("POST", `/evals/recommendations/${rec.id}/accept`)).status).toBe("accepted");
  });

  it("a flag needs an explicit override with a reason; a dismissed or stale candidate cannot be promoted", async () => {
    // A gate of 1.0 fails on the v1 attacks no guardrail stops yet: the recommendation is a flag.
    const { org, model } = await setup({ version: "sim-chat-2026-01-01", gate: 1 });
    await runToCompletion({ workload: org.workload, suite: "golden" });
    const cand = await adminOk<Candidate>("POST", `/models/${model}/candidates`, { provider: "sim-us", model: "sim-chat-2026-02-01" });
    const rec = await decided(org.workload, cand.id);
    expect(rec.decision).toBe("flag");
    expect(rec.regressions.some((r) => r.startsWith("adversarial:"))).toBe(true);

    const refused = await admin("POST", `/evals/recommendations/${rec.id}/accept`);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { title: string }).title).toBe("Override Required");
    expect((await admin("POST", `/evals/recommendations/${rec.id}/accept`, { override: true })).status).toBe(400);
    expect((await admin("POST", `/evals/recommendations/${rec.id}/accept`, { override: "yes", reason: "x" })).status).toBe(400);
    expect((await adminOk<{ targets: Array<{ model: string }> }>("GET", `/models/${model}`)).targets[0].model).toBe("sim-chat-2026-01-01");
    const forced = await adminOk<Rec>("POST", `/evals/recommendations/${rec.id}/accept`, { override: true, reason: "gate is stricter than this workload needs" });
    expect(forced.status).toBe("accepted");
    expect((await adminOk<{ targets: Array<{ model: string }> }>("GET", `/models/${model}`)).targets[0].model).toBe("sim-chat-2026-02-01");
    expect((await adminOk<{ data: Candidate[] }>("GET", `/models/${model}/candidates`)).data[0]).toMatchObject({ status: "promoted", reason: "gate is stricter than this workload needs" });

    // Dismissed: closed for good, also for the watcher (the candidate is unique).
    const next = await adminOk<Candidate>("POST", `/models/${model}/candidates`, { provider: "sim-us", model: "sim-chat-2026-03-01" });
    const nextRec = (await adminOk<{ data: Rec[] }>("GET", "/evals/recommendations")).data.find((r) => r.candidate_id === next.id)!;
    expect((await adminOk<Rec>("POST", `/evals/recommendations/${nextRec.id}/dismiss`, { reason: "not now" })).status).toBe("dismissed");
    expect((await admin("POST", `/evals/recommendations/${nextRec.id}/accept`, { override: true, reason: "x" })).status).toBe(409);
    expect((await adminOk<Candidate>("POST", `/models/${model}/candidates`, { provider: "sim-us", model: "sim-chat-2026-03-01" }))).toMatchObject({ created: false, status: "dismissed" });

    // Stale: the catalog moved on (a direct PUT) after the candidate was recorded.
    const stale = await adminOk<Candidate>("POST", `/models/${model}/candidates`, { provider: "sim-us", model: "sim-chat-2026-04-01" });
    await adminOk("PUT", `/models/${model}`, spec("sim-chat-2026-05-01"));
    const staleRec = await decided(org.workload, stale.id);
    const conflict = await admin("POST", `/evals/recommendations/${staleRec.id}/accept`, { override: true, reason: "try" });
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { title: string }).title).toBe("Candidate Stale");
    expect((await adminOk<{ targets: Array<{ model: string }> }>("GET", `/models/${model}`)).targets[0].model).toBe("sim-chat-2026-05-01");
  });

  it("refuses candidates that are not a version of a target, with clear 4xx", async () => {
    const { model } = await setup({ version: "sim-chat-2026-01-01" });
    expect((await admin("POST", `/models/${model}/candidates`, { provider: "sim-eu", model: "x-2026-01-01" })).status).toBe(422);
    expect((await admin("POST", `/models/${model}/candidates`, { provider: "sim-us", model: "sim-chat-2026-01-01" })).status).toBe(409);
    expect((await admin("POST", "/models/no-such-model/candidates", { provider: "sim-us", model: "m" })).status).toBe(404);
    expect((await admin("POST", `/models/${model}/candidates`, { provider: "sim-us" })).status).toBe(400);
    expect((await admin("POST", "/evals/recommendations/rec_missing/accept")).status).toBe(404);
    expect((await admin("POST", "/evals/recommendations/rec_missing/dismiss")).status).toBe(404);
  });

  it("the daily model-list watcher records a newer listed version once and evaluates it", async () => {
    expect(cronSchedule["0 3 * * *"]).toContain("model-watcher");
    expect(typeof cronJobs["model-watcher"]).toBe("function");
    const org = await createOrg();
    const provider = `sim-watch-${org.workload}`.slice(0, 60);
    const model = `watched-${org.workload}`;
    await adminOk("PUT", `/providers/${provider}`, { type: "simulated", region: "us", options: { models: "wmodel-2026-01-01, wmodel-2026-03-01, wmodel-2026-09-15, wmodel-latest, other-2027-01-01" } });
    await adminOk("PUT", `/models/${model}`, { targets: [{ provider, model: "wmodel-2026-03-01" }], data_classes: ["public"], price: { input_per_mtok: 1, output_per_mtok: 2 } });
    await adminOk("PUT", `/workloads/${org.workload}`, { team: org.team, default_data_class: "public", allowed_models: [model], lifecycle: "production" });
    await upload(org.workload, jsonl(Array.from({ length: 3 }, (_, i) => example("a", `q ${i}`, [{ type: "regex", pattern: "\\w+" }]))));

    const first = (await runModelWatcher(env)).filter((f) => f.model === model);
    expect(first).toEqual([{ model, provider, from_model: "wmodel-2026-03-01", to_model: "wmodel-2026-09-15", created: true }]);
    const second = (await runModelWatcher(env)).filter((f) => f.model === model);
    expect(second).toEqual([{ ...first[0], created: false }]);
    const candidates = await adminOk<{ data: Candidate[] }>("GET", `/models/${model}/candidates`);
    expect(candidates.data).toMatchObject([{ source: "watcher", to_model: "wmodel-2026-09-15", status: "evaluating" }]);
    const rec = await decided(org.workload, candidates.data[0].id);
    expect(rec).toMatchObject({ decision: "promote", regressions: [] });
    const recs = (await adminOk<{ data: Rec[] }>("GET", "/evals/recommendations")).data.filter((r) => r.workload === org.workload);
    expect(recs).toHaveLength(1);
  });

  it("each workload is evaluated by its team's home edge, so eval traffic stays in the team's zone", async () => {
    const org = await createOrg({ residency: "eu" });
    const model = `up-${org.workload}`;
    await adminOk("PUT", `/models/${model}`, { ...spec("sim-chat-2026-01-01"), targets: [{ provider: "sim-eu", model: "sim-chat-2026-01-01" }] });
    await adminOk("PUT", `/workloads/${org.workload}`, { team: org.team, default_data_class: "public", allowed_models: [model], lifecycle: "production" });
    // Examples are content: uploaded through the team's home edge, they live in its zone's R2.
    const uploaded = await eventually(async () => {
      const r = await env.EDGE_EU.fetch(new Request(`${BASE}/admin/v1/workloads/${org.workload}/datasets`, {
        method: "POST", headers: { authorization: `Bearer ${await adminToken()}`, "content-type": "application/x-ndjson" },
        body: jsonl(Array.from({ length: 3 }, (_, i) => example("a", `question ${i}`, [{ type: "regex", pattern: "\\w+" }]))),
      }));
      return r.status === 201 ? r : (await r.arrayBuffer(), undefined);
    });
    await uploaded.arrayBuffer();
    const body = { provider: "sim-eu", model: "sim-chat-2026-07-01" };
    const post = async () => new Request(`${BASE}/admin/v1/models/${model}/candidates`, {
      method: "POST", headers: { authorization: `Bearer ${await adminToken()}`, "content-type": "application/json" }, body: JSON.stringify(body),
    });
    // Recorded through the apac edge: the eu team's workload is not evaluated there.
    const here = await eventually(async () => {
      const r = await env.EDGE_APAC.fetch(await post());
      return r.status === 201 ? r.json<Candidate>() : (await r.arrayBuffer(), undefined);
    });
    expect(here).toMatchObject({ created: true, recommendations: [] });
    // The eu edge meets the candidate (its watcher, or this POST) and evaluates its own workload, once.
    const viaEu = async () => (await env.EDGE_EU.fetch(await post())).json<Candidate>();
    const eu = await eventually(async () => {
      const c = await viaEu();
      return c.recommendations?.length ? c : undefined;
    });
    expect(eu).toMatchObject({ id: here.id, created: false });
    expect((await viaEu()).recommendations).toEqual([]);
    const rec = await decided(org.workload, here.id);
    const run = await adminOk<RunView>("GET", `/evals/runs/${rec.candidate_run}`);
    const rid = run.results[0].request_id;
    await eventually(() => env.DB_EU.prepare("SELECT 1 AS ok FROM usage_events WHERE request_id = ?").bind(rid).first());
    expect(await env.DB.prepare("SELECT count(*) AS n FROM usage_events WHERE request_id = ?").bind(rid).first<{ n: number }>()).toEqual({ n: 0 });
  });

  it("a direct catalog PUT of a new version is still re-evaluated after the fact", async () => {
    const { org, model } = await setup({ version: "sim-1" });
    const baseline = await runToCompletion({ workload: org.workload, suite: "golden" });
    await adminOk("PUT", `/models/${model}`, spec("sim-2"));
    const rec = await decided(org.workload);
    expect(rec).toMatchObject({ candidate_id: null, decision: "promote", regressions: [], baseline_run: baseline.id, candidate: [{ provider: "sim-us", from_model: "sim-1", model: "sim-2" }] });
    const accepted = await adminOk<Rec>("POST", `/evals/recommendations/${rec.id}/accept`);
    expect(accepted).toMatchObject({ status: "accepted", accepted_by: "test-admin", catalog_version: null });
  });
});
