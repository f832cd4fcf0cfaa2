/**
 * The runbook engine against real D1 with a scripted runbook: a step that throws is recorded as
 * failed and leads to escalation instead of breaking the run; a signal that stays is one
 * incident; a signal that goes resolves it after the runbook's undo.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runRunbook } from "../../src/operations/incidents/engine";
import { incidentDetail } from "../../src/operations/incidents/store";
import type { Runbook, Signal } from "../../src/operations/runbooks/types";

function scripted(kind: string, opts: { signals: () => Signal[]; remediateThrows?: boolean }): Runbook & { calls: string[] } {
  const calls: string[] = [];
  return {
    kind, autonomy: "test", calls,
    detect: async () => (calls.push("detect"), opts.signals()),
    diagnose: async () => (calls.push("diagnose"), { facts: { cause: "scripted" } }),
    remediate: async () => {
      calls.push("remediate");
      if (opts.remediateThrows) throw new Error("upstream API refused the change");
      return { outcome: "ok", detail: { did: "thing" } };
    },
    verify: async () => (calls.push("verify"), { outcome: "ok", detail: {} }),
    escalate: async (_c, _s, reason) => (calls.push(`escalate:${reason}`), { outcome: "ok", detail: { paged: true } }),
    resolve: async () => (calls.push("resolve"), { outcome: "ok", detail: { undone: true } }),
    synthetic: async () => { throw new Error("not used"); },
  };
}

const signal = (fp: string, startedAgoMs = 120_000): Signal => ({
  fingerprint: fp, title: `scripted ${fp}`, severity: "warning", subject: `things/${fp}`, startedAt: new Date(Date.now() - startedAgoMs).toISOString(), evidence: { fp },
});

describe("runbook engine", () => {
  it("records a throwing remediation as failed and escalates, without throwing", async () => {
    const rb = scripted(`test_${crypto.randomUUID().slice(0, 8)}`, { signals: () => [signal("a")], remediateThrows: true });
    const ctx = { env, now: Date.now(), drill: false, actor: "test:engine" };
    const run = await runRunbook(ctx, rb);
    expect(run.opened).toHaveLength(1);
    const inc = (await incidentDetail(env, run.opened[0]))!;
    expect(inc.steps.map((s) => [s.step, s.outcome])).toEqual([["detect", "ok"], ["diagnose", "ok"], ["remediate", "failed"], ["escalate", "ok"]]);
    expect(inc.steps[2].detail).toEqual({ error: "upstream API refused the change" });
    expect(inc.status).toBe("open");
    expect(inc.timeline.escalated_at).not.toBeNull();
    expect(inc.timeline.mitigated_at).toBeNull();
    expect(rb.calls).toContain("escalate:remediation failed");
    // The first bad signal predates detection: MTTD is measured from it.
    expect(inc.ttd_ms).toBeGreaterThanOrEqual(120_000);
  });

  it("keeps one incident while the signal stays, resolves it when it goes", async () => {
    let active = true;
    const rb = scripted(`test_${crypto.randomUUID().slice(0, 8)}`, { signals: () => (active ? [signal("b"), signal("b")] : []) });
    const ctx = { env, now: Date.now(), drill: false, actor: "test:engine" };
    const first = await runRunbook(ctx, rb);
    expect(first.opened).toHaveLength(1);
    const second = await runRunbook(ctx, rb);
    expect(second).toMatchObject({ opened: [], ongoing: first.opened, resolved: [] });
    active = false;
    const third = await runRunbook(ctx, rb);
    expect(third.resolved).toEqual(first.opened);
    const inc = (await incidentDetail(env, first.opened[0]))!;
    expect(inc.status).toBe("resolved");
    expect(inc.steps.at(-1)).toMatchObject({ step: "resolve", outcome: "ok", detail: { undone: true } });
    expect(inc.ttr_ms).toBeGreaterThanOrEqual(120_000);
    expect(rb.calls.filter((c) => c === "diagnose")).toHaveLength(1);
  });
});
