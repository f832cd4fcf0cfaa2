/**
 * @module
 * The route-and-attempt step of the pipeline, shared by chat and embeddings: plan with the
 * isolate's health view (no I/O), run attempts with retries and fallback, feed every outcome to
 * the breakers, schedule the background health sync, and name the decision for
 * `x-switchyard-route` and the usage event.
 */
import type { ModelPolicy, PolicyBundle } from "../config/bundle";
import type { DataClass } from "../config/schemas";
import type { Env } from "../env";
import type { Caller } from "../gateway/policy";
import { runWithFallback, type AttemptResult, type FallbackResult } from "./fallback";
import { breakerConfigs, claimHealth, recordAttempt, releaseProbe, scheduleHealthSync } from "./health";
import { planRoute, type PlannedTarget, type RoutePlan } from "./plan";
import type { RequestNeeds } from "./score";

export interface DispatchInput {
  env: Env;
  ctx: { waitUntil(p: Promise<unknown>): void };
  bundle: PolicyBundle;
  model: ModelPolicy;
  caller: Caller;
  dataClass: DataClass;
  needs: RequestNeeds;
  /** Synthetic failover-drill traffic: its own health scope, drill-only faults apply. */
  drill?: DrillContext;
}

/** What the drill runner attaches to its in-process requests. */
export interface DrillContext {
  /** Caps every attempt, so a simulated outage costs seconds, not the production timeout. */
  attemptTimeoutMs: number;
  /** A provider to treat as down without calling it (drills of providers with no fault switch). */
  outage?: string;
  /** A provider to try first when it is allowed at all (the drill's recovery probe). */
  probe?: string;
}

export interface Dispatched<T> {
  plan: RoutePlan;
  result: FallbackResult<T>;
  /** Rule version, strategy, zone, who served and what was tried first. */
  route: string;
}

/** Header values stay short and ASCII. */
const MAX_ROUTE_CHARS = 512;

/**
 * Names the routing decision, e.g. "workload:wl-a@v3 lowest_cost; served=sim-b after=sim-a:timeout".
 * @example routeLabel(plan, result)
 */
export function routeLabel(plan: RoutePlan, result: FallbackResult<unknown>): string {
  const after = result.tried.map((t) => `${t.provider}:${t.failure.status ?? t.failure.kind}`).join(",");
  const skipped = plan.excluded.filter((e) => e.why === "circuit open").map((e) => e.provider).join(",");
  const parts = [plan.reason + ";", result.ok ? `served=${result.target.provider.id}` : "failed"];
  if (after) parts.push(`after=${after}`);
  if (skipped) parts.push(`skipped_open=${skipped}`);
  return parts.join(" ").replace(/[^\x20-\x7e]/g, "?").slice(0, MAX_ROUTE_CHARS);
}

/**
 * @example const { result, route } = await dispatch(input, (t, { timeoutMs }) => runChatAttempt(t, body, deps, signal, dlpPolicy, timeoutMs));
 */
export async function dispatch<T>(
  input: DispatchInput,
  attempt: (target: PlannedTarget, limits: { timeoutMs: number }) => Promise<AttemptResult<T>>,
): Promise<Dispatched<T>> {
  const { env, bundle, model, caller, dataClass, needs } = input;
  const region = env.REGION;
  const scope = input.drill ? "drill" : "live";
  const now = Date.now();
  const probes: string[] = [];
  const plan = planRoute(bundle, model, caller.team, dataClass, {
    workload: caller.workload,
    needs,
    health: (p) => {
      const { view, probe } = claimHealth(p.id, region, now, scope);
      if (probe) probes.push(p.id);
      return view;
    },
  });
  const cfg = breakerConfigs(env).local;
  const drill = input.drill;
  const guarded: typeof attempt = drill
    ? async (t, limits) => {
        if (drill.outage === t.provider.id) {
          return { ok: false, failure: { kind: "timeout", retryable: true, error: { message: "drill: simulated outage", type: "timeout_error", code: "upstream_timeout" } } };
        }
        return attempt(t, { timeoutMs: Math.min(limits.timeoutMs, drill.attemptTimeoutMs) });
      }
    : attempt;
  if (drill?.probe) plan.targets.sort((a, b) => Number(b.provider.id === drill.probe) - Number(a.provider.id === drill.probe));
  const result = await runWithFallback(plan.targets, guarded, {
    retry: plan.rule.retry,
    onAttempt: (target, ok, elapsedMs, failure) => {
      // A 4xx the client caused or an input this provider cannot take says nothing about its health.
      const healthy = ok || (failure !== undefined && (!failure.retryable || failure.kind === "unsupported"));
      recordAttempt(target.provider.id, region, { ok: healthy, latencyMs: elapsedMs, ...(ok && needs.stream ? { ttfbMs: elapsedMs } : {}), at: Date.now() }, cfg, scope);
    },
  });
  // A probe claim whose target was never attempted (an earlier one answered) is given back.
  for (const id of probes) if (!result.tried.some((t) => t.provider === id) && !(result.ok && result.target.provider.id === id)) releaseProbe(id, region, scope);
  if (!input.drill) scheduleHealthSync(env, input.ctx, Date.now());
  return { plan, result, route: routeLabel(plan, result) };
}

/** Only in-process Request objects can be drills: no header or body can make a network request one. */
const drillRequests = new WeakMap<Request, DrillContext>();

/** Marks an in-process request as failover-drill traffic (only the drill runner does this). */
export function markDrill(request: Request, drill: DrillContext): Request {
  drillRequests.set(request, drill);
  return request;
}

/** @example isDrill(request) === undefined for every request that came over the network */
export function isDrill(request: Request): DrillContext | undefined {
  return drillRequests.get(request);
}
