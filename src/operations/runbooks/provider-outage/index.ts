/**
 * @module
 * Provider outage. Detect: a direct probe of each provider in use fails, or its shared breaker
 * (ProviderHealth) is open or its error-rate EWMA is high. Diagnose: provider, region, error
 * kinds, affected models and workloads, and which fallbacks answer a probe. Remediate: open the
 * provider's shared breaker so every isolate routes around it. Verify: each affected model's
 * fallback answers. Escalate to on-call when a model has no healthy fallback. Resolve: once the
 * probe answers again, reset the breaker. May do on its own: open/reset breakers. Nothing else.
 */
import type { PolicyBundle } from "../../../config/bundle";
import { ProblemError } from "../../../errors/problem";
import { SHARED_BREAKER } from "../../../routing/breaker";
import { page } from "../../page";
import { freshBundle } from "../bundle";
import type { Runbook, RunbookContext, Signal } from "../types";
import { breakerSnapshot, modelsOn, openBreaker, probeTarget, resetBreaker, type ProbeResult } from "./probe";

const KIND = "provider_outage";
/** Shared error-rate EWMA that counts as an outage signal once enough samples were seen. */
const ERROR_RATE_SIGNAL = 0.5;
const MIN_SAMPLES = 10;
/** A closed breaker fed by traffic this recent, with errors below this rate, needs no probe. */
const HEALTHY_ERROR_RATE = 0.2;
const LIVE_TRAFFIC_MS = 5 * 60_000;

function providersInUse(bundle: PolicyBundle): string[] {
  const ids = new Set<string>();
  for (const m of bundle.models.values()) for (const t of m.targets) if (bundle.providers.has(t.provider)) ids.add(t.provider);
  return [...ids].sort();
}

/** When the first failure of the current bad streak happened, from usage events (or now). */
async function firstFailure(ctx: RunbookContext, provider: string): Promise<string> {
  const since = new Date(ctx.now - 3_600_000).toISOString();
  const row = await ctx.env.DB.prepare(
    `SELECT MIN(ts) AS ts FROM usage_events WHERE provider = ? AND status >= 500 AND ts >= ?
       AND ts > COALESCE((SELECT MAX(ts) FROM usage_events WHERE provider = ? AND status < 400 AND ts >= ?), '')`,
  ).bind(provider, since, provider, since).first<{ ts: string | null }>();
  return row?.ts ?? new Date().toISOString();
}

export const providerOutage: Runbook = {
  kind: KIND,
  autonomy: "opens the failing provider's shared circuit breaker (traffic moves to fallbacks) and resets it once the provider answers again",

  async detect(ctx) {
    const bundle = await freshBundle(ctx.env);
    const open = new Set((await ctx.env.DB.prepare("SELECT fingerprint FROM incidents WHERE kind = ? AND status != 'resolved' AND drill = 0").bind(KIND).all<{ fingerprint: string }>()).results.map((r) => r.fingerprint));
    const signals = await Promise.all(providersInUse(bundle).map(async (id): Promise<Signal | undefined> => {
      const model = modelsOn(bundle, id)[0];
      const fingerprint = `provider:${id}`;
      const breaker = await breakerSnapshot(ctx.env, id);
      // Live traffic already probes a busy, healthy provider: skip the synthetic call (it costs
      // money on a real provider). An open incident always probes: only a probe can prove recovery.
      const servingWell = breaker.state === "closed" && breaker.samples >= MIN_SAMPLES && breaker.errorRate < HEALTHY_ERROR_RATE
        && ctx.now - breaker.updatedAt < LIVE_TRAFFIC_MS;
      if (servingWell && !open.has(fingerprint)) return undefined;
      const probe = await probeTarget(bundle, model, id);
      const breakerBad = breaker.state === "open" || (breaker.samples >= MIN_SAMPLES && breaker.errorRate >= ERROR_RATE_SIGNAL);
      // Once an incident is open, only a failing probe keeps it open: our own remediation holds
      // the breaker open, so the breaker cannot be the evidence that the outage continues.
      const bad = !probe.ok || (breakerBad && !open.has(fingerprint));
      if (!bad) return undefined;
      const provider = bundle.providers.get(id)!;
      return {
        fingerprint, severity: "critical", subject: `providers/${id}`, startedAt: await firstFailure(ctx, id),
        title: `Provider ${id} (${provider.region}) is failing`,
        evidence: { provider: id, region: provider.region, probe, breaker: { state: breaker.state, error_rate: breaker.errorRate, samples: breaker.samples, consecutive_failures: breaker.consecutiveFailures } },
      };
    }));
    return signals.filter((s): s is Signal => s !== undefined);
  },

  async diagnose(ctx, signal) {
    const bundle = await freshBundle(ctx.env);
    const id = String(signal.evidence.provider);
    const models = modelsOn(bundle, id);
    const modelIds = new Set(models.map((m) => m.id));
    const workloads = [...bundle.workloads.values()].filter((w) => [...w.allowedModels].some((m) => modelIds.has(m))).map((w) => ({ workload: w.id, team: w.team }));
    const fallbacks: Array<{ model: string; fallbacks: ProbeResult[] }> = [];
    for (const m of models) {
      const others = [...new Set(m.targets.map((t) => t.provider).filter((p) => p !== id))];
      fallbacks.push({ model: m.id, fallbacks: await Promise.all(others.map((p) => probeTarget(bundle, m, p))) });
    }
    const stranded = fallbacks.filter((f) => !f.fallbacks.some((p) => p.ok)).map((f) => f.model);
    const probe = signal.evidence.probe as ProbeResult | undefined;
    const facts = {
      provider: id, region: signal.evidence.region ?? bundle.providers.get(id)?.region,
      error_kinds: probe && !probe.ok ? [probe.error_kind, probe.status ? `http_${probe.status}` : null, probe.code].filter(Boolean) : ["breaker_open"],
      breaker: signal.evidence.breaker, affected_models: [...modelIds], affected_workloads: workloads,
      fallbacks: fallbacks.map((f) => ({ model: f.model, healthy: f.fallbacks.filter((p) => p.ok).map((p) => p.provider), failing: f.fallbacks.filter((p) => !p.ok).map((p) => p.provider) })),
      models_without_healthy_fallback: stranded,
    };
    return { facts, ...(stranded.length ? { mustEscalate: `no healthy fallback for ${stranded.join(", ")}` } : {}) };
  },

  async remediate(ctx, signal) {
    const id = String(signal.evidence.provider);
    const inputs = { provider: id, region: ctx.env.REGION, failures_reported: SHARED_BREAKER.failureThreshold };
    if (ctx.drill) return { outcome: "dry_run", inputs, detail: { would: `open the shared breaker of ${id}@${ctx.env.REGION}` } };
    const after = await openBreaker(ctx.env, id, SHARED_BREAKER.failureThreshold);
    return { outcome: after.state === "open" ? "ok" : "failed", inputs, detail: { breaker: after.state, open_until: new Date(after.openUntil).toISOString() } };
  },

  async verify(ctx, signal) {
    const bundle = await freshBundle(ctx.env);
    const id = String(signal.evidence.provider);
    const results = [];
    for (const m of modelsOn(bundle, id)) {
      const others = [...new Set(m.targets.map((t) => t.provider).filter((p) => p !== id))];
      let answered: string | null = null;
      for (const p of others) {
        if ((await probeTarget(bundle, m, p)).ok) {
          answered = p;
          break;
        }
      }
      results.push({ model: m.id, fallback_answered: answered });
    }
    const ok = results.every((r) => r.fallback_answered !== null);
    return { outcome: ok ? "ok" : "failed", detail: { models: results } };
  },

  async escalate(ctx, signal, reason, diagnosis) {
    const policies = await ctx.env.DB.prepare("SELECT spec FROM ops_policies").all<{ spec: string }>();
    const oncall = policies.results.map((r) => (JSON.parse(r.spec) as { oncall_email?: string }).oncall_email).filter((e): e is string => !!e);
    const r = await page(ctx.env, {
      kind: "escalation", severity: ctx.drill ? "info" : "critical", title: `${ctx.drill ? "[drill] " : ""}${signal.title}: ${reason}`,
      evidence: { runbook: KIND, reason, provider: signal.evidence.provider, models_without_healthy_fallback: diagnosis.facts.models_without_healthy_fallback ?? [] },
    }, { roles: ["on-call"], addresses: ctx.drill ? [] : oncall });
    return { outcome: "ok", inputs: { reason }, detail: r };
  },

  async resolve(ctx, incident) {
    const id = String(incident.diagnosis.provider ?? incident.subject?.replace(/^providers\//, ""));
    if (ctx.drill) return { outcome: "dry_run", detail: { would: `reset the shared breaker of ${id}` } };
    const after = await resetBreaker(ctx.env, id);
    return { outcome: "ok", inputs: { provider: id }, detail: { breaker: after.state, reason: "provider answers probes again" } };
  },

  async synthetic(ctx, params) {
    const bundle = await freshBundle(ctx.env);
    const id = typeof params.provider === "string" ? params.provider : providersInUse(bundle)[0];
    const provider = id ? bundle.providers.get(id) : undefined;
    if (!id || !provider) throw new ProblemError(422, "Unknown Provider", `No provider ${String(params.provider ?? "in use")} to drill.`);
    return {
      fingerprint: `drill:provider:${id}`, severity: "critical", subject: `providers/${id}`, startedAt: new Date(ctx.now).toISOString(),
      title: `Provider ${id} (${provider.region}) is failing`,
      evidence: { provider: id, region: provider.region, synthetic: true, probe: { provider: id, ok: false, error_kind: "status", status: 503, code: "synthetic_fault" } },
    };
  },
};
