/**
 * Datasets and eval runs end to end: uploads stored in R2 with a D1 index, runs through the
 * real eval-jobs queue and the real gateway pipeline, idempotent results under redelivery,
 * eval-labelled usage, a failing judge, and run comparison.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { admin, adminOk, createOrg, eventually } from "./helpers";
import { example, jsonl, runToCompletion, upload, type RunView } from "./evals-helpers";

describe("golden datasets", () => {
  it("publishes immutable versions (JSONL and JSON), indexes them in D1 with coverage, stores examples in R2", async () => {
    const org = await createOrg();
    await adminOk("PUT", `/workloads/${org.workload}`, { team: org.team, default_data_class: "public", allowed_models: ["sim-chat"], lifecycle: "production", input_categories: ["billing", "refunds"], coverage: { min_examples: 2 } });
    const v1 = await upload(org.workload, jsonl([example("billing", "a"), example("billing", "b"), example("refunds", "c")]));
    expect(v1.status).toBe(201);
    const body1 = (await v1.json()) as { version: number; examples: number; coverage: number; categories: Record<string, number> };
    expect(body1).toMatchObject({ version: 1, examples: 3, coverage: 0.5, categories: { billing: 2, refunds: 1 } });
    const v2 = await upload(org.workload, JSON.stringify([example("refunds", "d"), example("refunds", "e"), example("billing", "f"), example("billing", "g")]), "application/json");
    expect(((await v2.json()) as { version: number; coverage: number })).toMatchObject({ version: 2, coverage: 1 });
    const list = await adminOk<{ data: Array<{ version: number }> }>("GET", `/workloads/${org.workload}/datasets`);
    expect(list.data.map((d) => d.version)).toEqual([2, 1]);
    const got = await adminOk<{ data: Array<{ input: { messages: Array<{ content: string }> } }> }>("GET", `/workloads/${org.workload}/datasets/1`);
    expect(got.data.map((e) => e.input.messages[0].content)).toEqual(["a", "b", "c"]);
    const listed = await env.BLOBS.list({ prefix: `datasets/${org.workload}/` });
    expect(listed.objects).toHaveLength(2);
  });

  it("refuses invalid uploads with a problem document naming each bad example", async () => {
    const org = await createOrg();
    const res = await upload(org.workload, jsonl([example("ok", "a"), { input: { messages: [] }, category: "x" }, example("ok", "b", [{ type: "regex", pattern: "(a)\\1" }])]));
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const p = (await res.json()) as { errors: Array<{ path: string }> };
    expect(p.errors.map((e) => e.path.split(".").slice(0, 2).join("."))).toEqual(expect.arrayContaining(["examples.1", "examples.2"]));
    expect((await upload(org.workload, "not json at all")).status).toBe(400);
    expect((await admin("GET", `/workloads/${org.workload}/datasets/9`)).status).toBe(404);
  });
});

describe("eval runs on the eval-jobs queue", { timeout: 60_000 }, () => {
  const passing = [{ type: "regex", pattern: "^\\w+( \\w+)*$" }];
  const failing = [{ type: "contains", value: "zebra-that-never-appears" }];

  it("runs every example through the pipeline, scores it, and reports pass rates, cost and latency", async () => {
    const org = await createOrg();
    await upload(org.workload, jsonl([
      example("greetings", "hello there", passing), example("greetings", "good morning", passing),
      example("orders", "where is my order", failing), example("orders", "cancel my order", [...passing, { type: "numeric", value: 5 }]),
    ]));
    const run = await runToCompletion({ workload: org.workload, suite: "golden" });
    expect(run.progress).toEqual({ done: 4, total: 4 });
    expect(run.counts).toEqual({ pass: 2, fail: 2, error: 0 });
    expect(run.pass_rate).toBe(0.5);
    expect(run.by_category).toEqual({ greetings: { total: 2, pass: 2, pass_rate: 1 }, orders: { total: 2, pass: 0, pass_rate: 0 } });
    expect(run.cost_usd).toBeGreaterThan(0);
    expect(run.latency_ms.p50).not.toBeNull();
    expect(run.results.every((r) => typeof r.output === "string" && r.output.length > 0)).toBe(true);
    // Eval traffic went through the pipeline as the workload, and its usage is labelled as eval.
    const usage = await eventually(async () => {
      const rows = await env.DB.prepare("SELECT workload, key_id, detail FROM usage_events WHERE request_id = ?").bind(run.results[0].request_id).all<{ workload: string; key_id: string; detail: string }>();
      return rows.results[0];
    });
    expect(usage.workload).toBe(org.workload);
    expect(usage.key_id).toBe(`key_eval_${org.workload}`);
    expect(JSON.parse(usage.detail).eval).toMatchObject({ run: run.id, kind: "golden" });
  });

  it("a redelivered job changes nothing: no second model call, no second row", async () => {
    const org = await createOrg();
    await upload(org.workload, jsonl([example("a", "redelivery one", passing)]));
    const run = await runToCompletion({ workload: org.workload, suite: "golden" });
    const before = await env.DB.prepare("SELECT * FROM eval_results WHERE run_id = ?").bind(run.id).all();
    await new Promise((r) => setTimeout(r, 2_000)); // let the run's own spend settle first
    const budgetBefore = await adminOk<{ spent_usd: number }>("GET", `/teams/${org.team}/budget`);
    const examples = await adminOk<{ data: unknown[] }>("GET", `/workloads/${org.workload}/datasets/1`);
    const job = { kind: "eval", run: run.id, workload: org.workload, suite: "golden", model: "sim-chat", example: examples.data[0] };
    await env.EVAL_JOBS.send(JSON.stringify(job), { contentType: "text" });
    await env.EVAL_JOBS.send(JSON.stringify(job), { contentType: "text" });
    // A second run queued after the duplicates: once it completes, the queue has handled them too.
    await upload(org.workload, jsonl([example("a", "sentinel", passing)]));
    await runToCompletion({ workload: org.workload, suite: "golden" });
    const after = await env.DB.prepare("SELECT * FROM eval_results WHERE run_id = ?").bind(run.id).all();
    expect(after.results).toEqual(before.results);
    // Spend settles shortly after each call (leases settle within about a second).
    await eventually(async () => (await adminOk<{ spent_usd: number }>("GET", `/teams/${org.team}/budget`)).spent_usd > budgetBefore.spent_usd);
    await new Promise((r) => setTimeout(r, 2_000));
    const budgetAfter = await adminOk<{ spent_usd: number }>("GET", `/teams/${org.team}/budget`);
    const sentinelCost = budgetAfter.spent_usd - budgetBefore.spent_usd;
    // Only the sentinel's one call was paid for (the duplicates never reached a model).
    expect(sentinelCost).toBeGreaterThan(0);
    expect(sentinelCost).toBeLessThan(run.cost_usd * 1.5 + 1e-6);
  });

  it("a judge whose answer has no verdict gives an error result (never a pass), through its own workload", async () => {
    const org = await createOrg();
    await upload(org.workload, jsonl([
      example("tone", "be polite please", [{ type: "judge", rubric: "The answer is polite.", model: "sim-chat" }]),
      example("tone", "say hi", passing),
    ]));
    const run = await runToCompletion({ workload: org.workload, suite: "golden" });
    expect(run.counts).toEqual({ pass: 1, fail: 0, error: 1 });
    const judged = run.results.find((r) => r.status === "error")!;
    const check = (judged.detail.checks as Array<{ type: string; error?: string }>)[0];
    expect(check).toMatchObject({ type: "judge", error: expect.stringContaining("no readable verdict") });
    const judgeUsage = await eventually(async () => {
      const rows = await env.DB.prepare("SELECT workload, team, detail FROM usage_events WHERE workload = 'switchyard-judge' AND detail LIKE ?").bind(`%${run.id}%`).all<{ workload: string; team: string; detail: string }>();
      return rows.results[0];
    });
    expect(judgeUsage.team).toBe("switchyard-evals");
    expect(JSON.parse(judgeUsage.detail).eval).toMatchObject({ run: run.id, kind: "judge" });
  });

  it("a judge grading a restricted answer is called as restricted (metadata-only logs, in-zone routing)", async () => {
    const org = await createOrg({ dataClass: "restricted" });
    await upload(org.workload, jsonl([example("tone", "grade this restricted answer", [{ type: "judge", rubric: "Polite?", model: "sim-chat" }])]));
    const run = await runToCompletion({ workload: org.workload, suite: "golden" });
    expect(run.results[0].output).toBeNull();
    const judgeUsage = await eventually(async () => {
      const rows = await env.DB.prepare("SELECT data_class FROM usage_events WHERE workload = 'switchyard-judge' AND detail LIKE ?").bind(`%${run.id}%`).all<{ data_class: string }>();
      return rows.results[0];
    });
    expect(judgeUsage.data_class).toBe("restricted");
  });

  it("a judge refused by its own budget is an error too, and the evaluated team pays nothing for judging", async () => {
    const org = await createOrg();
    await upload(org.workload, jsonl([example("tone", "judge me", [{ type: "judge", rubric: "Polite?", model: "sim-chat" }])]));
    // The judge's team has no budget left (ensureJudgeIdentity never overwrites an existing team).
    await adminOk("PUT", "/teams/switchyard-evals", { monthly_budget_usd: 0, rpm: 1000, tpm: 1000000, residency: "us" });
    const run = await runToCompletion({ workload: org.workload, suite: "golden" });
    const check = (run.results[0].detail.checks as Array<{ error?: string }>)[0];
    expect(run.results[0].status).toBe("error");
    expect(check.error).toMatch(/judge call refused \(429/);
  });

  it("compares two runs per example", async () => {
    const org = await createOrg();
    await upload(org.workload, jsonl([example("a", "one", passing, { id: "e1" }), example("a", "two", failing, { id: "e2" })]));
    const a = await runToCompletion({ workload: org.workload, suite: "golden" });
    await upload(org.workload, jsonl([example("a", "one", failing, { id: "e1" }), example("a", "two", passing, { id: "e2" }), example("a", "three", passing, { id: "e3" })]));
    const b = await runToCompletion({ workload: org.workload, suite: "golden" });
    const cmp = await adminOk<{ regressions: Array<{ example: string }>; improvements: Array<{ example: string }>; only_in_b: string[]; pass_rate: { delta: number } }>("GET", `/evals/runs/${a.id}/compare/${b.id}`);
    expect(cmp.regressions.map((r) => r.example)).toEqual(["e1"]);
    expect(cmp.improvements.map((r) => r.example)).toEqual(["e2"]);
    expect(cmp.only_in_b).toEqual(["e3"]);
    expect(cmp.pass_rate.delta).toBeCloseTo(2 / 3 - 1 / 2, 6);
    expect((await admin("POST", "/evals/runs", { workload: org.workload, suite: "golden", dataset_version: 99 })).status).toBe(404);
    expect((await admin("POST", "/evals/runs", { workload: "no-such-workload", suite: "golden" })).status).toBe(404);
    expect((await admin("GET", "/evals/runs/run_missing")).status).toBe(404);
  });
});

export type { RunView };
