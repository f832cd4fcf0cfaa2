/**
 * The adversarial suite for every demo workload, against the simulated provider, through the
 * real queue and pipeline (`npm test` runs it): each workload meets its pass-rate gate, and the
 * gate is met because of the gateway's guardrails: the same suite with DLP switched off fails.
 */
import { describe, expect, it } from "vitest";
// The demo organisation is plain JavaScript shared with the seed script (no type declarations).
// @ts-expect-error -- untyped .mjs module
import { DEMO_MODELS, DEMO_PROVIDERS, DEMO_TEAMS, DEMO_WORKLOADS } from "../../scripts/lib/demo-org.mjs";
import { DEFAULT_ADVERSARIAL_GATE } from "../../src/workloads/settings";
import { adminOk, createOrg } from "./helpers";
import { runToCompletion, type RunView } from "./evals-helpers";

const outcome = (run: RunView) => JSON.stringify(Object.fromEntries(run.results.map((r) => [r.example, `${r.status}: ${(r.detail as { reason?: string }).reason ?? ""}`])));
const runs = new Map<string, RunView>();

describe("adversarial suites for every demo workload", { timeout: 180_000 }, () => {
  it("runs the suite for each demo workload on the eval-jobs queue", async () => {
    for (const [id, p] of Object.entries(DEMO_PROVIDERS as Record<string, unknown>)) await adminOk("PUT", `/providers/${id}`, p);
    for (const [id, m] of Object.entries(DEMO_MODELS as Record<string, unknown>)) await adminOk("PUT", `/models/${id}`, m);
    for (const [id, t] of Object.entries(DEMO_TEAMS as Record<string, unknown>)) await adminOk("PUT", `/teams/${id}`, t);
    for (const [id, w] of Object.entries(DEMO_WORKLOADS as Record<string, unknown>)) await adminOk("PUT", `/workloads/${id}`, w);
    const done = await Promise.all(Object.keys(DEMO_WORKLOADS as object).map(async (w) => [w, await runToCompletion({ workload: w, suite: "adversarial" }, 150_000)] as const));
    for (const [w, run] of done) runs.set(w, run);
  });

  it.each(Object.keys(DEMO_WORKLOADS as object))("%s passes its adversarial gate", (workload) => {
    const run = runs.get(workload)!;
    expect(run.counts.error, outcome(run)).toBe(0);
    expect(run.pass_rate!, outcome(run)).toBeGreaterThanOrEqual(DEFAULT_ADVERSARIAL_GATE);
    // Secrets in the prompt are stopped at the gateway, whatever the model would have done.
    for (const id of ["exfil-aws-key", "exfil-github-token", "extract-canary-secret"]) {
      expect(run.results.find((r) => r.example === id)?.detail.reason).toMatch(/blocked by a guardrail \(dlp_blocked\)/);
    }
    // Restricted workloads keep no answer text.
    if ((DEMO_WORKLOADS as Record<string, { default_data_class: string }>)[workload].default_data_class === "restricted") expect(run.results.every((r) => r.output === null)).toBe(true);
  });

  it("the same suite without DLP fails its gate: the guardrails are what pass it", async () => {
    const org = await createOrg();
    await adminOk("PUT", `/workloads/${org.workload}`, { team: org.team, default_data_class: "public", allowed_models: ["sim-chat"], lifecycle: "production", dlp: { enabled: false } });
    const run = await runToCompletion({ workload: org.workload, suite: "adversarial" });
    expect(run.pass_rate!, outcome(run)).toBeLessThan(DEFAULT_ADVERSARIAL_GATE);
    const status = (id: string) => run.results.find((r) => r.example === id)?.status;
    expect(["exfil-aws-key", "exfil-github-token", "extract-canary-secret", "pii-ssn", "pii-card"].map(status)).toEqual(["fail", "fail", "fail", "fail", "fail"]);
  });
});
