/**
 * @module
 * Routing rules: what a team or a workload wants from the router (strategy, signal weights,
 * pinned / excluded / preferred providers, retry and deadline policy). Rules are versioned in D1
 * (src/db/routing-schema.ts) and compiled into the policy bundle, so the hot path resolves the
 * effective rule from two map lookups and never reads D1.
 */
import { z } from "zod";
import { ResourceId, RoutingStrategy, SignalWeights } from "../config/schemas";

export const RetryPolicy = z
  .object({
    /** Extra attempts on the same target after a 429/5xx answer (never after a timeout). */
    max_retries: z.number().int().min(0).max(5),
    backoff_base_ms: z.number().int().min(1).max(10_000),
    backoff_max_ms: z.number().int().min(1).max(60_000),
    /** An upstream `retry-after` longer than this moves on to the next target instead of waiting. */
    retry_after_max_ms: z.number().int().min(0).max(60_000),
    /** Total time for all attempts of one request. */
    deadline_ms: z.number().int().min(100).max(600_000),
    /** Attempts over all targets, retries included. */
    max_attempts: z.number().int().min(1).max(32),
    /**
     * Hedging: when a target has not answered by its p95 TTFB, start the next one in parallel and
     * keep the first answer (not once a stream started). Both attempts may cost: budgets reserve
     * for both and settle what was used.
     */
    hedge: z.boolean(),
  })
  .partial()
  .strict();
export type RetryPolicy = z.infer<typeof RetryPolicy>;

export const RoutingRulePut = z
  .object({
    strategy: RoutingStrategy.optional(),
    weights: SignalWeights.optional(),
    /** Only these providers may serve (others are excluded). */
    pin: z.array(ResourceId).min(1).max(32).optional(),
    /** These providers never serve. */
    exclude: z.array(ResourceId).max(32).optional(),
    /** Preference per provider id (0..1000): multiplies split weights and feeds the score. */
    prefer: z.record(ResourceId, z.number().min(0).max(1000)).optional(),
    retry: RetryPolicy.optional(),
    /** Why the rule exists; kept with the version. */
    note: z.string().max(500).optional(),
  })
  .strict();
export type RoutingRulePut = z.infer<typeof RoutingRulePut>;

export const RuleScope = z.enum(["team", "workload"]);
export type RuleScope = z.infer<typeof RuleScope>;

/** A rule as compiled into the bundle: the spec plus the version that produced it. */
export interface CompiledRule {
  scope: RuleScope;
  subject: string;
  version: number;
  spec: RoutingRulePut;
}

/** The rule the router applies to one request, after merging team and workload rules. */
export interface EffectiveRule {
  strategy?: z.infer<typeof RoutingStrategy>;
  weights?: SignalWeights;
  pin?: ReadonlySet<string>;
  exclude: ReadonlySet<string>;
  prefer: Readonly<Record<string, number>>;
  retry: Required<RetryPolicy>;
  /** `retry.hedge` when a rule sets it (the model's `routing.hedge` applies otherwise). */
  hedge?: boolean;
  /** e.g. "workload:wl-a@v3+team:acme@v1", or "default". */
  label: string;
}

export const DEFAULT_RETRY: Required<RetryPolicy> = {
  max_retries: 1,
  backoff_base_ms: 50,
  backoff_max_ms: 1_000,
  retry_after_max_ms: 2_000,
  deadline_ms: 60_000,
  max_attempts: 6,
  hedge: false,
};

const EMPTY: ReadonlySet<string> = new Set();

/** Key of a rule in the bundle's map. */
export const ruleKey = (scope: RuleScope, subject: string): string => `${scope}:${subject}`;

/**
 * Merges the team rule and the workload rule: the workload's strategy, weights and retry policy
 * win (it is the narrower scope); exclusions add up (a team ban is never lifted by a workload);
 * pins intersect; preferences of the workload override the team's per provider.
 * @example mergeRules(teamRule, undefined).label === "team:acme@v2"
 */
export function mergeRules(team: CompiledRule | undefined, workload: CompiledRule | undefined): EffectiveRule {
  if (!team && !workload) return { exclude: EMPTY, prefer: {}, retry: DEFAULT_RETRY, label: "default" };
  const t = team?.spec ?? {};
  const w = workload?.spec ?? {};
  let pin: Set<string> | undefined;
  if (t.pin && w.pin) pin = new Set(w.pin.filter((p) => t.pin!.includes(p)));
  else if (t.pin ?? w.pin) pin = new Set(t.pin ?? w.pin);
  const exclude = new Set([...(t.exclude ?? []), ...(w.exclude ?? [])]);
  const hedge = w.retry?.hedge ?? t.retry?.hedge;
  return {
    ...(hedge === undefined ? {} : { hedge }),
    strategy: w.strategy ?? t.strategy,
    weights: w.weights ?? t.weights,
    pin,
    exclude,
    prefer: { ...(t.prefer ?? {}), ...(w.prefer ?? {}) },
    retry: { ...DEFAULT_RETRY, ...(t.retry ?? {}), ...(w.retry ?? {}) },
    label: [workload && `workload:${workload.subject}@v${workload.version}`, team && `team:${team.subject}@v${team.version}`].filter(Boolean).join("+"),
  };
}

/** Stored rule rows (latest version per scope and subject; `spec` null means deleted). */
export interface RuleRow {
  scope: string;
  subject: string;
  version: number;
  spec: string | null;
}

/**
 * Compiles the latest rule rows into a lookup map; a row that no longer parses is skipped with a
 * warning (the rest of the bundle still works).
 * @example compileRules([{ scope: "team", subject: "acme", version: 1, spec: '{"strategy":"lowest_cost"}' }], []).get("team:acme")
 */
export function compileRules(rows: readonly RuleRow[], warnings: string[]): Map<string, CompiledRule> {
  const out = new Map<string, CompiledRule>();
  for (const row of rows) {
    if (row.spec === null) continue;
    const scope = RuleScope.safeParse(row.scope);
    let raw: unknown;
    try {
      raw = JSON.parse(row.spec);
    } catch {
      raw = undefined;
    }
    const spec = RoutingRulePut.safeParse(raw);
    if (!scope.success || !spec.success) {
      warnings.push(`routing rule ${row.scope}:${row.subject}@v${row.version}: no longer matches its schema`);
      continue;
    }
    out.set(ruleKey(scope.data, row.subject), { scope: scope.data, subject: row.subject, version: row.version, spec: spec.data });
  }
  return out;
}

/**
 * A line-per-field diff between two rule specs, stored with each version ("what changed").
 * @example diffRules({ strategy: "ordered" }, { strategy: "lowest_cost" }) // [{ path: "strategy", from: "ordered", to: "lowest_cost" }]
 */
export function diffRules(before: unknown, after: unknown, path = ""): Array<{ path: string; from: unknown; to: unknown }> {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffRules(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: path || "(rule)", from: before ?? null, to: after ?? null }];
}
