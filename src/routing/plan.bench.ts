/**
 * @module
 * Micro-benchmark of the routing decision a request pays for: health lookups of five targets
 * (with the half-open probe claim) plus planning over five targets, for each strategy and with a
 * team + workload rule. Prints µs/op; never asserts time. Run: `node scripts/bench-routing.mjs`.
 */
import { chatNeeds } from "./needs";
import { planRoute } from "./plan";
import { claimHealth, recordAttempt } from "./health";
import { LOCAL_BREAKER } from "./breaker";
import { testBundle } from "./testing";
import type { RoutingStrategy } from "../config/schemas";

const STRATEGIES: RoutingStrategy[] = ["ordered", "weighted", "lowest_cost", "lowest_latency", "score"];

/** @example runRoutingBench(200_000).forEach((r) => console.log(r)) */
export function runRoutingBench(iterations: number): Array<{ case: string; usPerOp: number }> {
  const providers = Object.fromEntries(["a", "b", "c", "d", "e"].map((p) => [p, { region: "us" as const }]));
  const targets = ["a", "b", "c", "d", "e"].map((p, i) => ({
    provider: p, model: `m-${p}`, weight: i + 1, tier: i < 3 ? 0 : 1,
    price: { input_per_mtok: 1 + i, output_per_mtok: 2 + i }, capabilities: { context_window: 128_000, tools: i !== 2 },
  }));
  const models = Object.fromEntries(STRATEGIES.map((s) => [`m-${s}`, { targets, routing: { strategy: s } }]));
  const bundle = testBundle({
    providers, models,
    teams: { t: { residency: "us" } },
    workloads: { w: { team: "t" } },
    rules: [
      { scope: "team", subject: "t", version: 3, spec: JSON.stringify({ exclude: ["zz"], prefer: { b: 5 } }) },
      { scope: "workload", subject: "w", version: 7, spec: JSON.stringify({ retry: { max_retries: 2 } }) },
    ],
  });
  // Realistic health: measured latencies, one provider half-open-ish history.
  const now = Date.now();
  for (const [i, p] of ["a", "b", "c", "d", "e"].entries()) {
    for (let k = 0; k < 20; k++) recordAttempt(p, "us", { ok: true, latencyMs: 100 + 50 * i + k, ttfbMs: 20 + 10 * i, at: now - 1000 + k }, LOCAL_BREAKER);
  }
  const team = bundle.teams.get("t")!;
  const workload = bundle.workloads.get("w")!;
  const needs = chatNeeds({ model: "x", messages: [{ role: "system", content: "You are helpful." }, { role: "user", content: "Summarise this paragraph please. ".repeat(20) }], max_tokens: 256 });
  const out: Array<{ case: string; usPerOp: number }> = [];
  let sink = 0;
  for (const s of [...STRATEGIES, "mixed"] as const) {
    const run = (n: number) => {
      for (let i = 0; i < n; i++) {
        const strategy = s === "mixed" ? STRATEGIES[i % STRATEGIES.length] : s;
        const model = bundle.models.get(`m-${strategy}`)!;
        const t = Date.now();
        const plan = planRoute(bundle, model, team, i % 3 === 0 ? "restricted" : "public", {
          workload, needs, health: (p) => claimHealth(p.id, "us", t).view,
        });
        sink += plan.targets.length;
      }
    };
    run(Math.min(10_000, iterations)); // warm-up (JIT)
    const start = performance.now();
    run(iterations);
    out.push({ case: s, usPerOp: ((performance.now() - start) * 1000) / iterations });
  }
  if (sink < 0) console.log(sink);
  return out;
}
