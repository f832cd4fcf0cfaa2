/**
 * @module
 * Scheduled failover drills. For every provider group (a catalog model with targets on two or
 * more providers) a drill simulates an outage of the primary (the model's first target) for
 * drill traffic only, sends synthetic requests through the real gateway pipeline in-process,
 * and checks three things: traffic rerouted away from the primary, the fallback answered
 * correctly, and once the fault is lifted the primary serves again within the recovery bound.
 *
 * Drill traffic is isolated from production: a simulated primary gets its `drill_only` outage
 * fault (production requests never see it); any other provider is treated as down inside the
 * drill's own dispatch without being called. Drill requests have their own identity (team and
 * workload `switchyard-drills`, a short-lived key), their own health scope (a drill never opens
 * a production circuit), and usage events marked `drill`.
 */
import type { ModelPolicy, PolicyBundle } from "../config/bundle";
import { getBundle } from "../config/loader";
import { DATA_CLASS_RANK, Zone, type DataClass, type Faults } from "../config/schemas";
import { newApiKey, sha256Hex } from "../config/secrets";
import { db, eq, nowIso, schema, writeConfig } from "../config/store";
import { failoverDrills } from "../db/routing-schema";
import type { Env } from "../env";
import { handleChat } from "../gateway/chat";
import { handleEmbeddings } from "../gateway/embeddings";
import { raiseAlert } from "../operations/alerts";
import { markDrill, type DrillContext } from "./dispatch";
import { resetHealth } from "./health";

export const DRILL_TEAM = "switchyard-drills";
export const DRILL_WORKLOAD = "switchyard-drills";

export interface DrillOptions {
  /** Drill one model only; default every provider group. */
  model?: string;
  trigger: string;
  /** Longest acceptable time from lifting the fault until the primary serves again. */
  recoveryBoundMs?: number;
  /** Per-attempt cap for drill requests (an outage costs this much per attempt). */
  attemptTimeoutMs?: number;
}

export interface DrillResult {
  id: string;
  ts: string;
  model: string;
  provider: string;
  fallback_provider: string | null;
  fault: string;
  rerouted: boolean;
  fallback_ok: boolean;
  recovery_ms: number | null;
  recovery_bound_ms: number;
  verdict: "pass" | "fail";
  detail: Record<string, unknown>;
}

const OUTAGE_REQUESTS = 3;
const PROBE_INTERVAL_MS = 200;
export const DEFAULT_RECOVERY_BOUND_MS = 60_000;
export const DEFAULT_DRILL_ATTEMPT_TIMEOUT_MS = 2_000;

/**
 * Provider groups worth drilling: models whose targets span at least two providers.
 * @example providerGroups(bundle).map((m) => m.id)
 */
export function providerGroups(bundle: PolicyBundle, only?: string): ModelPolicy[] {
  return [...bundle.models.values()]
    .filter((m) => (!only || m.id === only) && new Set(m.targets.map((t) => t.provider)).size >= 2)
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Creates or refreshes the drill identity and returns a fresh key valid for an hour. */
async function drillKey(env: Env, models: string[]): Promise<string> {
  const d = db(env);
  const ts = nowIso();
  const zone = Zone.safeParse(env.REGION);
  const team = { monthly_budget_usd: 1_000, rpm: 100_000, tpm: 1_000_000_000, residency: zone.success ? zone.data : "us", name: "Failover drills" };
  const workload = { team: DRILL_TEAM, name: "Failover drills", default_data_class: "public", allowed_models: models, lifecycle: "production" };
  const apiKey = newApiKey();
  const teamRow = { id: DRILL_TEAM, residency: team.residency, spec: JSON.stringify(team), updatedAt: ts };
  const workloadRow = { id: DRILL_WORKLOAD, team: DRILL_TEAM, lifecycle: "production", spec: JSON.stringify(workload), updatedAt: ts };
  await writeConfig(env, [
    d.insert(schema.teams).values(teamRow).onConflictDoUpdate({ target: schema.teams.id, set: teamRow }),
    d.insert(schema.workloads).values(workloadRow).onConflictDoUpdate({ target: schema.workloads.id, set: workloadRow }),
    d.insert(schema.apiKeys).values({
      id: `key_drill_${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`, hash: await sha256Hex(apiKey), prefix: apiKey.slice(0, 12),
      workload: DRILL_WORKLOAD, team: DRILL_TEAM, name: "failover drill", createdAt: ts, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), revokedAt: null,
    }),
  ], { actor: "system:failover-drill", action: "drill.identity", resource: `workloads/${DRILL_WORKLOAD}`, detail: { models } });
  return apiKey;
}

async function setFaults(env: Env, providerId: string, faults: Faults | undefined, actor: string): Promise<void> {
  const row = await db(env).select().from(schema.providers).where(eq(schema.providers.id, providerId)).get();
  if (!row) return;
  const spec = JSON.parse(row.spec) as Record<string, unknown>;
  if (faults) spec.faults = faults;
  else delete spec.faults;
  await writeConfig(env, [db(env).update(schema.providers).set({ spec: JSON.stringify(spec), updatedAt: nowIso() }).where(eq(schema.providers.id, providerId))], {
    actor, action: "provider.faults", resource: `providers/${providerId}`, detail: faults ?? { mode: "none" },
  });
}

interface Probe {
  status: number;
  provider: string | null;
  route: string | null;
  answered: boolean;
  requestId: string;
}

/** Sends one synthetic request through the gateway pipeline in-process. */
async function drillRequest(env: Env, model: ModelPolicy, apiKey: string, drill: DrillContext, n: string): Promise<Probe> {
  const cls = [...model.data_classes].sort((a, b) => DATA_CLASS_RANK[a] - DATA_CLASS_RANK[b])[0] as DataClass;
  const requestId = `drill-${n}-${crypto.randomUUID().slice(0, 8)}`;
  const chat = model.kind === "chat";
  const body = chat ? { model: model.id, messages: [{ role: "user", content: "Failover drill: reply with a short sentence." }], max_tokens: 16 } : { model: model.id, input: "failover drill" };
  const request = markDrill(
    new Request(`https://drill.internal/v1/${chat ? "chat/completions" : "embeddings"}`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", "x-request-id": requestId, "x-data-class": cls, "user-agent": "switchyard-failover-drill" },
      body: JSON.stringify(body),
    }),
    drill,
  );
  const pending: Promise<unknown>[] = [];
  const deps = { env, ctx: { waitUntil: (p: Promise<unknown>) => void pending.push(p) } };
  const res = await (chat ? handleChat(request, deps) : handleEmbeddings(request, deps));
  let answered = false;
  try {
    const json = (await res.json()) as { choices?: Array<{ message?: { content?: string | null; tool_calls?: unknown[] } }>; data?: Array<{ embedding?: unknown[] }> };
    answered = chat
      ? Boolean(json.choices?.[0]?.message && ((json.choices[0].message.content ?? "").length > 0 || (json.choices[0].message.tool_calls?.length ?? 0) > 0))
      : (json.data?.[0]?.embedding?.length ?? 0) > 0;
  } catch {
    answered = false;
  }
  await Promise.allSettled(pending);
  return { status: res.status, provider: res.headers.get("x-switchyard-provider"), route: res.headers.get("x-switchyard-route"), answered: res.status === 200 && answered, requestId };
}

async function drillOne(env: Env, model: ModelPolicy, bundle: PolicyBundle, apiKey: string, opts: DrillOptions): Promise<DrillResult> {
  const primary = model.targets[0].provider;
  const provider = bundle.providers.get(primary);
  const bound = opts.recoveryBoundMs ?? DEFAULT_RECOVERY_BOUND_MS;
  const attemptTimeoutMs = opts.attemptTimeoutMs ?? DEFAULT_DRILL_ATTEMPT_TIMEOUT_MS;
  const simulated = provider?.type === "simulated";
  const fault = simulated ? "outage(drill_only)" : "outage(in-gateway)";
  const actor = `system:failover-drill:${opts.trigger}`;
  const saved = provider?.faults;
  const outage: Probe[] = [];
  const recovery: Probe[] = [];
  let recoveryMs: number | null = null;
  resetHealth("drill");
  try {
    if (simulated) await setFaults(env, primary, { mode: "outage", drill_only: true }, actor);
    const ctx: DrillContext = { attemptTimeoutMs, ...(simulated ? {} : { outage: primary }) };
    for (let i = 0; i < OUTAGE_REQUESTS; i++) outage.push(await drillRequest(env, model, apiKey, ctx, `${model.id}-outage${i}`));
  } finally {
    // The fault is lifted whatever happened above: a drill must never leave a provider broken.
    if (simulated) await setFaults(env, primary, saved && saved.mode !== "none" ? saved : undefined, actor);
  }
  const liftedAt = Date.now();
  const probeCtx: DrillContext = { attemptTimeoutMs, probe: primary };
  while (Date.now() - liftedAt <= bound) {
    const p = await drillRequest(env, model, apiKey, probeCtx, `${model.id}-recovery${recovery.length}`);
    recovery.push(p);
    if (p.status === 200 && p.provider === primary) {
      recoveryMs = Date.now() - liftedAt;
      break;
    }
    await new Promise((r) => setTimeout(r, PROBE_INTERVAL_MS));
  }
  resetHealth("drill");
  const rerouted = outage.every((p) => p.status === 200 && p.provider !== null && p.provider !== primary);
  const fallbackOk = outage.every((p) => p.answered);
  const verdict = rerouted && fallbackOk && recoveryMs !== null && recoveryMs <= bound ? "pass" : "fail";
  return {
    id: `drill_${crypto.randomUUID()}`,
    ts: nowIso(),
    model: model.id,
    provider: primary,
    fallback_provider: outage.find((p) => p.provider && p.provider !== primary)?.provider ?? null,
    fault,
    rerouted,
    fallback_ok: fallbackOk,
    recovery_ms: recoveryMs,
    recovery_bound_ms: bound,
    verdict,
    detail: {
      trigger: opts.trigger,
      primary_attempted: outage.some((p) => (p.route ?? "").includes(`${primary}:`) || (p.route ?? "").includes(`skipped_open=${primary}`)),
      outage: outage.map(({ status, provider: prov, route, requestId }) => ({ status, provider: prov, route, request_id: requestId })),
      recovery_probes: recovery.length,
      last_probe: recovery.at(-1) ? { status: recovery.at(-1)!.status, provider: recovery.at(-1)!.provider } : null,
    },
  };
}

/**
 * Runs drills for every provider group (or one model), stores each result in D1 and raises an
 * alert for each failure. Groups run one after another so drills never overlap.
 * @example await runFailoverDrills(env, { trigger: "cron" });
 */
export async function runFailoverDrills(env: Env, opts: DrillOptions): Promise<DrillResult[]> {
  let bundle = await getBundle(env, { waitUntil: () => {} });
  const groups = providerGroups(bundle, opts.model);
  if (groups.length === 0) return [];
  const apiKey = await drillKey(env, groups.map((g) => g.id));
  bundle = await getBundle(env, { waitUntil: () => {} });
  const results: DrillResult[] = [];
  for (const model of groups) {
    const r = await drillOne(env, model, bundle, apiKey, opts);
    await db(env).insert(failoverDrills).values({
      id: r.id, ts: r.ts, model: r.model, provider: r.provider, fallbackProvider: r.fallback_provider, fault: r.fault,
      rerouted: r.rerouted ? 1 : 0, fallbackOk: r.fallback_ok ? 1 : 0, recoveryMs: r.recovery_ms, recoveryBoundMs: r.recovery_bound_ms,
      verdict: r.verdict, detail: JSON.stringify(r.detail), trigger: opts.trigger,
    });
    if (r.verdict === "fail") {
      await raiseAlert(env, {
        kind: "failover_drill",
        severity: "critical",
        title: `Failover drill failed for model ${r.model} (primary ${r.provider})`,
        evidence: { drill_id: r.id, model: r.model, provider: r.provider, rerouted: r.rerouted, fallback_ok: r.fallback_ok, recovery_ms: r.recovery_ms, recovery_bound_ms: r.recovery_bound_ms },
      });
    }
    results.push(r);
  }
  return results;
}
