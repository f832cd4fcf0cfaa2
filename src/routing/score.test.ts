import { describe, expect, it } from "vitest";
import type { HealthView } from "./breaker";
import { capabilityMismatch, orderCandidates, type Candidate, type RequestNeeds, type ScoringRule } from "./score";
import { seededRandom } from "./testing";

const healthy: HealthView = { state: "closed", errorRate: 0, latencyMs: null, ttfbMs: null };
const needs: RequestNeeds = { promptTokens: 1000, maxOutputTokens: 100, tools: false, vision: false, jsonMode: false, stream: false };
const rule = (r: Partial<ScoringRule>): ScoringRule => ({ strategy: "ordered", exclude: new Set(), prefer: {}, ...r });

function cand(index: number, provider: string, over: Partial<Candidate> = {}): Candidate {
  return { index, provider, price: { input_per_mtok: 1, output_per_mtok: 2 }, weight: 1, tier: 0, capabilities: {}, health: healthy, ...over };
}

const ids = (cs: Candidate[]) => cs.map((c) => c.provider);

describe("orderCandidates", () => {
  const a = cand(0, "a", { price: { input_per_mtok: 5, output_per_mtok: 15 }, health: { ...healthy, latencyMs: 200, ttfbMs: 50 } });
  const b = cand(1, "b", { price: { input_per_mtok: 0.5, output_per_mtok: 1 }, health: { ...healthy, latencyMs: 900, ttfbMs: 400 } });
  const c = cand(2, "c", { price: { input_per_mtok: 2, output_per_mtok: 4 }, health: { ...healthy, latencyMs: 400, ttfbMs: 30 } });

  it("keeps configuration order for ordered fallback", () => {
    expect(ids(orderCandidates([a, b, c], needs, rule({}), Math.random).order)).toEqual(["a", "b", "c"]);
  });

  it("puts the cheapest first for lowest_cost, using per-target price overrides", () => {
    expect(ids(orderCandidates([a, b, c], needs, rule({ strategy: "lowest_cost" }), Math.random).order)).toEqual(["b", "c", "a"]);
  });

  it("orders by observed latency, and by time to first byte for streams", () => {
    expect(ids(orderCandidates([a, b, c], needs, rule({ strategy: "lowest_latency" }), Math.random).order)).toEqual(["a", "c", "b"]);
    expect(ids(orderCandidates([a, b, c], { ...needs, stream: true }, rule({ strategy: "lowest_latency" }), Math.random).order)).toEqual(["c", "a", "b"]);
  });

  it("treats an unmeasured target as neutral latency, not as the fastest", () => {
    const fresh = cand(3, "fresh");
    expect(ids(orderCandidates([a, fresh], needs, rule({ strategy: "lowest_latency" }), Math.random).order)).toEqual(["a", "fresh"]);
  });

  it("splits traffic by weight × preference for weighted", () => {
    const x = cand(0, "x", { weight: 3 });
    const y = cand(1, "y", { weight: 1 });
    const random = seededRandom(42);
    const firsts = { x: 0, y: 0 };
    for (let i = 0; i < 4000; i++) firsts[orderCandidates([x, y], needs, rule({ strategy: "weighted" }), random).order[0].provider as "x" | "y"]++;
    expect(firsts.x / 4000).toBeGreaterThan(0.7);
    expect(firsts.x / 4000).toBeLessThan(0.8);
    // A zero weight is never first while another target has weight, but stays a fallback.
    const z = cand(2, "z", { weight: 0 });
    for (let i = 0; i < 200; i++) expect(orderCandidates([z, y], needs, rule({ strategy: "weighted" }), random).order.map((c) => c.provider)).toEqual(["y", "z"]);
  });

  it("scores multiple signals with weights: cost-heavy picks b, latency-heavy picks a", () => {
    const costly = orderCandidates([a, b, c], needs, rule({ strategy: "score", weights: { cost: 10, latency: 0, ttfb: 0, availability: 0, preference: 0 } }), Math.random);
    expect(costly.order[0].provider).toBe("b");
    const fast = orderCandidates([a, b, c], needs, rule({ strategy: "score", weights: { cost: 0, latency: 10, ttfb: 0, availability: 0, preference: 0 } }), Math.random);
    expect(fast.order[0].provider).toBe("a");
  });

  it("penalises error rate and honours preference in the score", () => {
    const flaky = cand(0, "flaky", { health: { ...healthy, errorRate: 0.6 } });
    const solid = cand(1, "solid");
    expect(orderCandidates([flaky, solid], needs, rule({ strategy: "score" }), Math.random).order[0].provider).toBe("solid");
    const p = orderCandidates([cand(0, "p"), cand(1, "q")], needs, rule({ strategy: "score", prefer: { q: 10 } }), Math.random);
    expect(p.order[0].provider).toBe("q");
  });

  it("filters pinned, excluded, capability mismatches and open circuits, saying why", () => {
    const small = cand(0, "small", { capabilities: { context_window: 512 } });
    const notools = cand(1, "notools", { capabilities: { tools: false } });
    const open = cand(2, "open", { health: { ...healthy, state: "open" } });
    const banned = cand(3, "banned");
    const ok = cand(4, "ok");
    const r = orderCandidates([small, notools, open, banned, ok], { ...needs, tools: true }, rule({ exclude: new Set(["banned"]) }), Math.random);
    expect(ids(r.order)).toEqual(["ok"]);
    expect(Object.fromEntries(r.excluded.map((e) => [e.provider, e.why]))).toEqual({
      small: "context window 512 < ~1100 tokens",
      notools: "no tool calling",
      open: "circuit open",
      banned: "excluded by rule",
    });
    const pinned = orderCandidates([small, ok], needs, rule({ pin: new Set(["ok"]) }), Math.random);
    expect(ids(pinned.order)).toEqual(["ok"]);
    expect(pinned.excluded).toEqual([{ provider: "small", why: "not pinned by rule" }]);
  });

  it("tries tier 0 before tier 1 whatever the strategy", () => {
    const cheapFallback = cand(0, "cheap", { tier: 1, price: { input_per_mtok: 0.01, output_per_mtok: 0.01 } });
    expect(ids(orderCandidates([cheapFallback, a], needs, rule({ strategy: "lowest_cost" }), Math.random).order)).toEqual(["a", "cheap"]);
  });

  it("keeps a half-open target in place so the probe is real traffic", () => {
    const probing = cand(0, "probing", { health: { ...healthy, state: "half_open" } });
    expect(ids(orderCandidates([probing, b], needs, rule({}), Math.random).order)).toEqual(["probing", "b"]);
  });
});

describe("capabilityMismatch", () => {
  it("treats undeclared capabilities as supported", () => {
    expect(capabilityMismatch({}, { ...needs, tools: true, vision: true, jsonMode: true, stream: true })).toBeUndefined();
    expect(capabilityMismatch({ vision: false }, { ...needs, vision: true })).toBe("no vision");
    expect(capabilityMismatch({ json_mode: false }, { ...needs, jsonMode: true })).toBe("no JSON mode");
    expect(capabilityMismatch({ streaming: false }, { ...needs, stream: true })).toBe("no streaming");
  });
});
