/**
 * @module
 * Multi-signal ordering of route candidates: a pure function of plain data (candidates with
 * their price, capabilities, health and weight; the request's needs; the effective rule; a random
 * source), so every strategy is unit-tested and benchmarked without a runtime.
 *
 * Order of decisions: hard filters first (pin/exclude, capability, open circuit), then fallback
 * tiers in ascending order, and inside a tier the strategy. A half-open candidate keeps its
 * place: the probe must be real traffic or a recovered provider would never be seen to recover
 * (the caller lets only one request per isolate probe at a time, see ./health.ts).
 */
import type { Capabilities, Price, RoutingStrategy, SignalWeights } from "../config/schemas";
import type { HealthView } from "./breaker";

export interface Candidate {
  /** Index in the model's target list (stable tie-breaker, and how callers map back). */
  index: number;
  provider: string;
  price: Price;
  weight: number;
  tier: number;
  capabilities: Capabilities;
  health: HealthView;
}

/** What the request needs from a target, estimated cheaply from its body. */
export interface RequestNeeds {
  promptTokens: number;
  maxOutputTokens: number;
  tools: boolean;
  vision: boolean;
  jsonMode: boolean;
  stream: boolean;
}

export interface ScoringRule {
  strategy: RoutingStrategy;
  weights?: SignalWeights;
  pin?: ReadonlySet<string>;
  exclude: ReadonlySet<string>;
  prefer: Readonly<Record<string, number>>;
}

export interface Ordered {
  order: Candidate[];
  excluded: Array<{ provider: string; why: string }>;
}

export const DEFAULT_WEIGHTS: Required<SignalWeights> = { cost: 1, latency: 1, ttfb: 0.5, availability: 2, preference: 1 };
/** Latency assumed for a target never measured: neutral, so new targets get traffic and a measurement. */
const UNKNOWN_LATENCY_MS = 1_000;
/** Output tokens assumed for costing when the request sets no limit. */
const DEFAULT_OUTPUT_TOKENS = 256;

/**
 * Why a candidate cannot serve this request, or undefined when it can.
 * @example capabilityMismatch({ tools: false }, { ...needs, tools: true }) === "no tool calling"
 */
export function capabilityMismatch(c: Capabilities, n: RequestNeeds): string | undefined {
  if (c.context_window !== undefined && n.promptTokens + n.maxOutputTokens > c.context_window) {
    return `context window ${c.context_window} < ~${n.promptTokens + n.maxOutputTokens} tokens`;
  }
  // An unset capability means "not declared", which we treat as supported.
  if (n.tools && c.tools === false) return "no tool calling";
  if (n.vision && c.vision === false) return "no vision";
  if (n.jsonMode && c.json_mode === false) return "no JSON mode";
  if (n.stream && c.streaming === false) return "no streaming";
  return undefined;
}

/** Expected cost of this request on a candidate, in dollars × 1e6 (only relative values matter). */
export function expectedCost(p: Price, n: RequestNeeds): number {
  return n.promptTokens * p.input_per_mtok + (n.maxOutputTokens || DEFAULT_OUTPUT_TOKENS) * p.output_per_mtok;
}

function observedLatency(c: Candidate, n: RequestNeeds): number {
  // A streaming client feels the first byte; a JSON client the whole answer.
  const v = n.stream ? (c.health.ttfbMs ?? c.health.latencyMs) : c.health.latencyMs;
  return v ?? UNKNOWN_LATENCY_MS;
}

/** Weighted random permutation (Efraimidis–Spirakis keys), deterministic for a given `random`. */
function weightedShuffle(cs: Candidate[], weightOf: (c: Candidate) => number, random: () => number): Candidate[] {
  const keyed = cs.map((c) => {
    const w = weightOf(c);
    // Zero weight: only after every positive-weight candidate (still a fallback).
    return { c, k: w > 0 ? Math.pow(random(), 1 / w) : -1 + random() * 1e-9 };
  });
  keyed.sort((a, b) => b.k - a.k || a.c.index - b.c.index);
  return keyed.map((x) => x.c);
}

function scoreOf(c: Candidate, n: RequestNeeds, w: Required<SignalWeights>, max: { cost: number; lat: number; ttfb: number; pref: number }, prefer: Readonly<Record<string, number>>): number {
  const cost = max.cost > 0 ? expectedCost(c.price, n) / max.cost : 0;
  const lat = (c.health.latencyMs ?? UNKNOWN_LATENCY_MS) / max.lat;
  const ttfb = (c.health.ttfbMs ?? c.health.latencyMs ?? UNKNOWN_LATENCY_MS) / max.ttfb;
  const pref = max.pref > 0 ? 1 - (prefer[c.provider] ?? 0) / max.pref : 0;
  // Lower is better for every term.
  return w.cost * cost + w.latency * lat + w.ttfb * ttfb + w.availability * c.health.errorRate + w.preference * pref;
}

function orderTier(cs: Candidate[], n: RequestNeeds, rule: ScoringRule, random: () => number): Candidate[] {
  switch (rule.strategy) {
    case "ordered":
      return cs;
    case "weighted":
      return weightedShuffle(cs, (c) => c.weight * (rule.prefer[c.provider] ?? 1), random);
    case "lowest_cost":
      return [...cs].sort((a, b) => expectedCost(a.price, n) - expectedCost(b.price, n) || a.index - b.index);
    case "lowest_latency":
      return [...cs].sort((a, b) => observedLatency(a, n) - observedLatency(b, n) || a.index - b.index);
    case "score": {
      const w = { ...DEFAULT_WEIGHTS, ...(rule.weights ?? {}) };
      const max = { cost: 0, lat: 1, ttfb: 1, pref: 0 };
      for (const c of cs) {
        max.cost = Math.max(max.cost, expectedCost(c.price, n));
        max.lat = Math.max(max.lat, c.health.latencyMs ?? UNKNOWN_LATENCY_MS);
        max.ttfb = Math.max(max.ttfb, c.health.ttfbMs ?? c.health.latencyMs ?? UNKNOWN_LATENCY_MS);
        max.pref = Math.max(max.pref, rule.prefer[c.provider] ?? 0);
      }
      const scored = cs.map((c) => ({ c, s: scoreOf(c, n, w, max, rule.prefer) }));
      scored.sort((a, b) => a.s - b.s || a.c.index - b.c.index);
      return scored.map((x) => x.c);
    }
  }
}

/**
 * Filters and orders candidates for one request.
 * @example
 * const { order } = orderCandidates(cands, needs, { strategy: "lowest_cost", exclude: new Set(), prefer: {} }, Math.random);
 */
export function orderCandidates(candidates: readonly Candidate[], needs: RequestNeeds, rule: ScoringRule, random: () => number): Ordered {
  const excluded: Ordered["excluded"] = [];
  const tiers = new Map<number, Candidate[]>();
  for (const c of candidates) {
    let why: string | undefined;
    if (rule.exclude.has(c.provider)) why = "excluded by rule";
    else if (rule.pin && !rule.pin.has(c.provider)) why = "not pinned by rule";
    else if (c.health.state === "open") why = "circuit open";
    else why = capabilityMismatch(c.capabilities, needs);
    if (why) {
      excluded.push({ provider: c.provider, why });
      continue;
    }
    let tier = tiers.get(c.tier);
    if (!tier) tiers.set(c.tier, (tier = []));
    tier.push(c);
  }
  const order: Candidate[] = [];
  for (const t of [...tiers.keys()].sort((a, b) => a - b)) {
    for (const c of orderTier(tiers.get(t)!, needs, rule, random)) order.push(c);
  }
  return { order, excluded };
}
