/**
 * Model-upgrade re-evaluation: changing the version a catalog target points at runs the golden
 * and adversarial suites against it on eval-jobs, compares with the production baseline and
 * records a promote/flag recommendation that a person accepts.
 */
import { describe, expect, it } from "vitest";
import { admin, adminOk, createOrg, eventually } from "./helpers";
import { example, jsonl, runToCompletion, upload } from "./evals-helpers";

interface Rec { id: string; workload: string; decision: string; regressions: string[]; baseline_run: string | null; candidate: unknown; status: string; accepted_by: string | null }

describe("model-upgrade re-evaluation", { timeout: 90_000 }, () => {
  it("re-runs the suites on a new target version and recommends promote; a person accepts", async () => {
    const org = await createOrg();
    const model = `up-${org.workload}`;
    const spec = (version: string) => ({ targets: [{ provider: "sim-us", model: version }], data_classes: ["public"], price: { input_per_mtok: 1, output_per_mtok: 2 } });
    await adminOk("PUT", `/models/${model}`, spec("sim-1"));
    await adminOk("PUT", `/workloads/${org.workload}`, { team: org.team, default_data_class: "public", allowed_models: [model], lifecycle: "production" });
    await upload(org.workload, jsonl(Array.from({ length: 6 }, (_, i) => example("a", `question ${i}`, [{ type: "regex", pattern: "\\w+" }]))));
    const baseline = await runToCompletion({ workload: org.workload, suite: "golden" });

    await adminOk("PUT", `/models/${model}`, spec("sim-2"));
    const rec = await eventually(async () => {
      const list = await adminOk<{ data: Rec[] }>("GET", "/evals/recommendations");
      const mine = list.data.find((r) => r.workload === org.workload);
      return mine && mine.decision !== "pending" ? mine : undefined;
    }, 60_000);
    expect(rec).toMatchObject({ decision: "promote", regressions: [], baseline_run: baseline.id, candidate: [{ provider: "sim-us", from_model: "sim-1", model: "sim-2" }] });
    const accepted = await adminOk<Rec>("POST", `/evals/recommendations/${rec.id}/accept`);
    expect(accepted).toMatchObject({ status: "accepted", accepted_by: "test-admin" });
    expect((await admin("POST", "/evals/recommendations/rec_missing/accept")).status).toBe(404);
  });
});
