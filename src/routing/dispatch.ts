/**
 * @module
 * The route-and-attempt step of the pipeline, shared by chat and embeddings: plan with the
 * isolate's health view (no I/O), put last any provider an attempt of this isolate is waiting on
 * past its p95 (it may be hanging), give each attempt its TTFB deadline (./deadline.ts), run
 * attempts with retries, fallback and optional hedging, feed every outcome to the breakers and the
 * latency samples, schedule the background health sync, and name the decision for
 * `x-switchyard-route` and the usage event.
 */
import type { ModelPolicy, PolicyBundle } from "../config/bundle";
import type { DataClass } from "../config/schemas";
import type { Env } from "../env";
import type { Caller } from "../gateway/policy";
import type { Target } from "../config/schemas";
import type { TtfbDeadline } from "./deadline";
import { runWithFallback, type AttemptLimits, type AttemptResult, type FallbackResult } from "./fallback";
import { breakerConfigs, claimHealth, healthView, recordAttempt, releaseProbe, scheduleHealthSync } from "./health";
import type { HealthScope } from "./health";
import { beginWait, deadlineFor, recordAnswer, recordTtfb, waitingTooLong, type CallKind } from "./latency";
import { planRoute, type PlannedTarget, type RoutePlan } from "./plan";
import { mergeRules, ruleKey } from "./rules";
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
  /** Hedge slow targets ({@link requestHedges}); the caller reserved budget for two attempts. */
  hedge?: boolean;
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
  /** The TTFB deadline each attempted provider got (ms), for the usage event. */
  deadlines: Record<string, number>;
}

/** What one attempt may take: the attempt timeout, the TTFB deadline within it, the idle gap of a stream. */
export interface DispatchLimits extends AttemptLimits {
  ttfbTimeoutMs: number;
  idleTimeoutMs: number;
}

/** Longest quiet gap in a started stream when the target sets no `idle_timeout_ms`. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** Whether this request may hedge: a routing rule's `retry.hedge` wins over the model's `routing.hedge`. */
export function hedgeEnabled(plan: Pick<RoutePlan, "rule">, model: Pick<ModelPolicy, "routing">): boolean {
  return plan.rule.hedge ?? model.routing?.hedge ?? false;
}

/**
 * Whether a request of this caller for this model may hedge, before it is planned (the budget
 * reserves for two attempts then). Two map lookups.
 * @example requestHedges(bundle, model, caller) === false
 */
export function requestHedges(
  bundle: PolicyBundle,
  model: ModelPolicy,
  caller: Pick<Caller, "team" | "workload">,
): boolean {
  const rules = bundle.routingRules;
  const rule = mergeRules(rules?.get(ruleKey("team", caller.team.id)), rules?.get(ruleKey("workload", caller.workload.id)));
  return model.targets.length > 1 && hedgeEnabled({ rule }, model);
}

/** Header values stay short and ASCII. */
const MAX_ROUTE_CHARS = 512;

/**
 * Names the routing decision, e.g. "workload:wl-a@v3 lowest_cost; served=sim-b after=sim-a:timeout".
 * @example routeLabel(plan, result)
 */
export function routeLabel(plan: RoutePlan, result: FallbackResult<unknown>, demoted: readonly string[] = []): string {
  const cut = (f: { kind: string; deadlineMs?: number }) => (f.kind === "ttfb_timeout" ? `@${f.deadlineMs}ms` : "");
  const after = result.tried.map((t) => `${t.provider}:${t.failure.status ?? t.failure.kind}${cut(t.failure)}`).join(",");
  const skipped = plan.excluded.filter((e) => e.why === "circuit open").map((e) => e.provider).join(",");
  const parts = [plan.reason + ";", result.ok ? `served=${result.target.provider.id}` : "failed"];
  if (after) parts.push(`after=${after}`);
  if (result.ok && result.hedgeLoser) parts.push(`hedged=${result.hedgeLoser.provider.id}`);
  if (skipped) parts.push(`skipped_open=${skipped}`);
  if (demoted.length) parts.push(`demoted_slow=${demoted.join(",")}`);
  return parts.join(" ").replace(/[^\x20-\x7e]/g, "?").slice(0, MAX_ROUTE_CHARS);
}

/** Providers an attempt of this isolate has been waiting on past their p95 go last (stable otherwise). */
function demoteSlow(plan: RoutePlan, keyOf: (p: PlannedTarget) => string, now: number): string[] {
  const slow = new Set(plan.targets.filter((t) => waitingTooLong(keyOf(t), now)).map((t) => t.provider.id));
  if (slow.size === 0 || slow.size === plan.targets.length) return [];
  plan.targets.sort((a, b) => Number(slow.has(a.provider.id)) - Number(slow.has(b.provider.id)));
  return [...slow];
}

interface DeadlineContext {
  target: Target;
  /** The provider's key in the latency memory (provider@region, drills apart). */
  key: string;
  kind: CallKind;
  region: string;
  scope: HealthScope;
}

/** The TTFB deadline of one attempt at `target`, from its config, this isolate's samples or the shared view. */
function ttfbFor(input: DeadlineContext, timeoutMs: number): TtfbDeadline {
  const view = healthView(input.target.provider, input.region, Date.now(), input.scope);
  return deadlineFor({
    provider: input.key,
    model: input.target.model,
    kind: input.kind,
    attemptTimeoutMs: timeoutMs,
    configuredMs: input.target.ttfb_timeout_ms,
    // A stream's attempt ends at its first chunk, a JSON one at its last byte: each has its EWMA.
    sharedMeanMs: input.kind === "stream" ? view.ttfbMs : view.latencyMs,
  });
}

/**
 * @example const { result, route } = await dispatch(input, (t, limits) => runChatAttempt({ target: t, limits, ... }));
 */
export async function dispatch<T>(
  input: DispatchInput,
  attempt: (target: PlannedTarget, limits: DispatchLimits) => Promise<AttemptResult<T>>,
  discard?: (value: T) => void,
): Promise<Dispatched<T>> {
  const { env, bundle, model, caller, dataClass, needs } = input;
  const region = env.REGION;
  const scope: HealthScope = input.drill ? "drill" : "live";
  const kind: CallKind = needs.stream ? "stream" : "json";
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
  const keyOf = (t: PlannedTarget) => `${t.provider.id}@${region}${scope === "drill" ? "#drill" : ""}`;
  const demoted = demoteSlow(plan, keyOf, now);
  const cfg = breakerConfigs(env).local;
  const drill = input.drill;
  const deadlines: Record<string, number> = {};
  const limited = async (t: PlannedTarget, limits: AttemptLimits): Promise<AttemptResult<T>> => {
    const timeoutMs = drill ? Math.min(limits.timeoutMs, drill.attemptTimeoutMs) : limits.timeoutMs;
    const ttfb = ttfbFor({ target: t.target, key: keyOf(t), kind, region, scope }, timeoutMs);
    deadlines[t.provider.id] = ttfb.ms;
    const done = beginWait(keyOf(t), ttfb.slowAfterMs, Date.now());
    try {
      const idleTimeoutMs = t.target.idle_timeout_ms ?? DEFAULT_IDLE_TIMEOUT_MS;
      return await attempt(t, { ...limits, timeoutMs, ttfbTimeoutMs: ttfb.ms, idleTimeoutMs });
    } finally {
      done();
    }
  };
  const guarded: typeof limited = drill
    ? async (t, limits) => {
        if (drill.outage === t.provider.id) {
          return { ok: false, failure: { kind: "timeout", retryable: true, error: { message: "drill: simulated outage", type: "timeout_error", code: "upstream_timeout" } } };
        }
        return limited(t, limits);
      }
    : limited;
  if (drill?.probe) plan.targets.sort((a, b) => Number(b.provider.id === drill.probe) - Number(a.provider.id === drill.probe));
  const hedge = input.hedge === true && !drill;
  const hedgeAfterMs = (t: PlannedTarget, timeoutMs: number) =>
    ttfbFor({ target: t.target, key: keyOf(t), kind, region, scope }, timeoutMs).slowAfterMs;
  const result = await runWithFallback(plan.targets, guarded, {
    retry: plan.rule.retry,
    onAttempt: (target, ok, elapsedMs, failure) => {
      // A 4xx the client caused or an input this provider cannot take says nothing about its health.
      const healthy = ok || (failure !== undefined && (!failure.retryable || failure.kind === "unsupported"));
      recordAttempt(target.provider.id, region, { ok: healthy, latencyMs: elapsedMs, ...(ok && needs.stream ? { ttfbMs: elapsedMs } : {}), at: Date.now() }, cfg, scope);
      // The attempt ends at the first byte that matters (a stream's first chunk, a JSON answer's end).
      if (ok) recordTtfb(keyOf(target), target.target.model, kind, elapsedMs);
      // Any answer, even an error status, shows the host is not hanging.
      if (ok || failure?.kind === "status") recordAnswer(keyOf(target), Date.now());
    },
    ...(hedge ? { hedgeAfterMs } : {}),
    discard,
  });
  // A probe claim whose target was never attempted (an earlier one answered) is given back.
  for (const id of probes) if (!result.tried.some((t) => t.provider === id) && !(result.ok && result.target.provider.id === id)) releaseProbe(id, region, scope);
  if (!input.drill) scheduleHealthSync(env, input.ctx, Date.now());
  return { plan, result, route: routeLabel(plan, result, demoted), deadlines };
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
