// The demo organisation's spend history, as plain rows (so the seed writes them and a test can
// measure the forecast on exactly them). Realistic on purpose: per-workload trends (up, flat),
// weekly cycles of different depth, a launch step, a workload that starts mid-window, and
// multiplicative Gaussian noise. Deterministic: the same rows on every machine.
import { DEMO_MODELS, DEMO_TEAMS, DEMO_WORKLOADS } from "./demo-org.mjs";
import { hashSeed, rng } from "./random.mjs";

export const HISTORY_DAYS = 90;
/** Days before the gateway's history for which provider bills are imported (pre-gateway spend). */
export const PRE_GATEWAY_DAYS = 30;

/** Requests/day on a weekday at the window's start, daily growth, weekend level, noise, launch. */
export const PROFILES = {
  "support-bot": { base: 32400, growth: 0.004, weekend: 0.6, noise: 0.06 },
  "docs-search": { base: 150000, growth: 0.002, weekend: 0.5, noise: 0.05 },
  "code-review": { base: 50000, growth: 0.006, weekend: 0.2, noise: 0.07 },
  "incident-summaries": { base: 9000, growth: 0, weekend: 0.8, noise: 0.1 },
  // A new analysis pipeline launched 35 days ago: +70% from that day.
  "research-notebook": { base: 18000, growth: 0.001, weekend: 0.3, noise: 0.07, launch: { daysAgo: 35, factor: 1.7 } },
  "hr-assistant": { base: 3600, growth: 0.001, weekend: 0.25, noise: 0.08 },
  "claims-triage": { base: 8400, growth: 0.003, weekend: 0.4, noise: 0.06 },
  // A dev workload that only started 40 days ago.
  "sales-drafts": { base: 2520, growth: 0.01, weekend: 0.2, noise: 0.1, startsDaysAgo: 40 },
};
const WEEKDAY = [null, 1.0, 1.05, 1.08, 1.04, 0.92, null]; // Sun..Sat; weekends from the profile

function gaussian(r) {
  return Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r());
}

/** The provider a team's traffic to a model lands on: the first target in the team's zone, else the first. */
export function providerFor(model, team) {
  const zone = DEMO_TEAMS[team].residency;
  const targets = DEMO_MODELS[model].targets;
  const inZone = targets.find((t) => t.provider.includes(`-${zone}`));
  return (inZone ?? targets[0]).provider;
}

/**
 * usage_daily rows for the `HISTORY_DAYS` days before `today` (a UTC midnight Date).
 * @returns {Array<{day:string,team:string,workload:string,model:string,provider:string,requests:number,errors:number,cache_hits:number,tokens_in:number,tokens_out:number,cost_nusd:number}>}
 */
export function historyRows(today) {
  const rows = [];
  for (const [workload, w] of Object.entries(DEMO_WORKLOADS)) {
    const p = PROFILES[workload];
    const r = rng(hashSeed(`history-${workload}`));
    const tokensIn = 300 + Math.floor(r() * 500);
    const tokensOut = 80 + Math.floor(r() * 250);
    for (let d = HISTORY_DAYS; d >= 1; d--) {
      if (p.startsDaysAgo && d > p.startsDaysAgo) continue;
      const day = new Date(today.getTime() - d * 86400000);
      const dow = day.getUTCDay();
      const rhythm = WEEKDAY[dow] ?? p.weekend;
      const launch = p.launch && d <= p.launch.daysAgo ? p.launch.factor : 1;
      const level = p.base * (1 + p.growth * (HISTORY_DAYS - d)) * rhythm * launch;
      for (const model of w.allowed_models) {
        const embeddings = DEMO_MODELS[model].kind === "embeddings";
        const share = embeddings ? 0.5 : 1 / w.allowed_models.filter((m) => DEMO_MODELS[m].kind !== "embeddings").length;
        const requests = Math.max(1, Math.round(level * share * Math.exp(p.noise * gaussian(r))));
        const hits = w.cache ? Math.floor(requests * (0.2 + 0.05 * r())) : 0;
        const errors = Math.floor(requests * 0.01 * r());
        const paid = requests - hits - errors;
        const tin = requests * tokensIn;
        const tout = embeddings ? 0 : requests * tokensOut;
        const price = DEMO_MODELS[model].price;
        const cost = Math.round(paid * tokensIn * price.input_per_mtok * 1000 + (embeddings ? 0 : paid * tokensOut * price.output_per_mtok * 1000));
        rows.push({ day: day.toISOString().slice(0, 10), team: w.team, workload, model, provider: providerFor(model, w.team), requests, errors, cache_hits: hits, tokens_in: tin, tokens_out: tout, cost_nusd: cost });
      }
    }
  }
  return rows;
}

/**
 * Provider bills (spend_imports): per team and provider, the gateway-observed cost plus 0.4% used
 * outside the gateway (consoles, notebooks), and for `PRE_GATEWAY_DAYS` before the gateway's
 * history the teams' spend as the providers billed it (team level, before the gateway existed).
 */
export function importRows(today, history = historyRows(today)) {
  const byKey = new Map();
  for (const h of history) {
    const key = `${h.day}|${h.team}|${h.provider}`;
    byKey.set(key, (byKey.get(key) ?? 0) + h.cost_nusd);
  }
  const rows = [...byKey].map(([key, nusd]) => {
    const [day, team, provider] = key.split("|");
    return { source: "provider-invoices", day, team, provider, cost_nusd: Math.round(nusd * 1.004) };
  });
  // Before the gateway: the first gateway week's average per weekday, 10% lower, per team and provider.
  const first = new Map();
  for (const h of history) {
    const d = Math.round((today.getTime() - Date.parse(`${h.day}T00:00:00Z`)) / 86400000);
    if (d > HISTORY_DAYS - 7) {
      const key = `${h.team}|${h.provider}|${new Date(`${h.day}T00:00:00Z`).getUTCDay()}`;
      first.set(key, (first.get(key) ?? 0) + h.cost_nusd);
    }
  }
  for (let d = HISTORY_DAYS + PRE_GATEWAY_DAYS; d > HISTORY_DAYS; d--) {
    const day = new Date(today.getTime() - d * 86400000);
    for (const [key, nusd] of first) {
      const [team, provider, dow] = key.split("|");
      if (Number(dow) !== day.getUTCDay()) continue;
      const r = rng(hashSeed(`pre-${key}-${d}`));
      rows.push({ source: "provider-invoices", day: day.toISOString().slice(0, 10), team, provider, cost_nusd: Math.round(nusd * 0.9 * (1 - 0.002 * (d - HISTORY_DAYS)) * Math.exp(0.05 * gaussian(r))) });
    }
  }
  return rows;
}
