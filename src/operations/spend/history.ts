/**
 * @module
 * Daily spend history per organisation, team and workload. Gateway-observed rollups
 * (usage_daily) are the truth from the first day the gateway saw a team; before that day the
 * team's imported provider spend (spend_imports) stands in, so organisations arrive with history.
 * Loading is one query per table; series are cut from the facts in memory.
 */
import type { ForecastScope, ScopeMix } from "../forecast/adjustments";
import { addDays, dateRange } from "../forecast/dates";

export interface SpendFact {
  day: string;
  team: string;
  workload: string;
  model: string;
  provider: string;
  cost_nusd: number;
  source: "gateway" | "import";
}

export interface SpendFacts {
  facts: SpendFact[];
  /** First day with gateway-observed usage, per team (all time). */
  firstSeen: Record<string, string>;
}

type Row = Omit<SpendFact, "source">;

/**
 * Facts between two days (inclusive), optionally for one team.
 * @example await loadSpendFacts(env.DB, { from: "2026-09-01", to: "2026-11-30" })
 */
export async function loadSpendFacts(db: D1Database, opts: { from: string; to: string; team?: string }): Promise<SpendFacts> {
  const teamFilter = opts.team ? " AND team = ?3" : "";
  const args = opts.team ? [opts.from, opts.to, opts.team] : [opts.from, opts.to];
  const [gateway, imported, first] = await db.batch<Row | { team: string; first: string }>([
    db.prepare(`SELECT day, team, workload, model, provider, SUM(cost_nusd) AS cost_nusd FROM usage_daily
      WHERE day >= ?1 AND day <= ?2${teamFilter} GROUP BY day, team, workload, model, provider`).bind(...args),
    db.prepare(`SELECT day, team, workload, model, provider, SUM(cost_nusd) AS cost_nusd FROM spend_imports
      WHERE day >= ?1 AND day <= ?2${teamFilter} GROUP BY day, team, workload, model, provider`).bind(...args),
    db.prepare(`SELECT team, MIN(day) AS first FROM usage_daily${opts.team ? " WHERE team = ?1" : ""} GROUP BY team`).bind(...(opts.team ? [opts.team] : [])),
  ]);
  const firstSeen = Object.fromEntries((first.results as Array<{ team: string; first: string }>).map((r) => [r.team, r.first]));
  const facts: SpendFact[] = [
    ...(gateway.results as Row[]).map((r) => ({ ...r, cost_nusd: Number(r.cost_nusd), source: "gateway" as const })),
    ...(imported.results as Row[]).map((r) => ({ ...r, cost_nusd: Number(r.cost_nusd), source: "import" as const })),
  ];
  return { facts, firstSeen };
}

/** Whether a fact counts toward spend history: gateway always; imports only before the gateway saw the team. */
export function counts(fact: SpendFact, firstSeen: Record<string, string>): boolean {
  if (fact.source === "gateway") return true;
  const first = firstSeen[fact.team];
  return first === undefined || fact.day < first;
}

export function inScope(fact: SpendFact, scope: ForecastScope, subject: string): boolean {
  return scope === "org" || (scope === "team" ? fact.team === subject : fact.workload === subject);
}

/**
 * Daily totals from `from` to `to` (nano-USD), leading idle days trimmed so a new team's history
 * starts when its spend does.
 * @example dailySeries(facts, { scope: "team", subject: "support", from, to })
 */
export function dailySeries(data: SpendFacts, opts: { scope: ForecastScope; subject: string; from: string; to: string }): { start: string; values: number[] } {
  const days = dateRange(opts.from, opts.to);
  const index = new Map(days.map((d, i) => [d, i]));
  const values = new Array<number>(days.length).fill(0);
  for (const f of data.facts) {
    if (!inScope(f, opts.scope, opts.subject) || !counts(f, data.firstSeen)) continue;
    const i = index.get(f.day);
    if (i !== undefined) values[i] += f.cost_nusd;
  }
  const firstSpend = values.findIndex((v) => v > 0);
  if (firstSpend < 0) return { start: addDays(opts.to, 1), values: [] };
  return { start: days[firstSpend], values: values.slice(firstSpend) };
}

/**
 * How the scope's spend splits over its last 28 days, for planned changes.
 * @example scopeMix(data, { scope: "team", subject: "support", to: "2026-11-30", teamOfWorkload })
 */
export function scopeMix(data: SpendFacts, opts: { scope: ForecastScope; subject: string; to: string; teamOfWorkload: Record<string, string> }): ScopeMix {
  const from = addDays(opts.to, -27);
  const byWorkload: Record<string, number> = {};
  const byModel: Record<string, number> = {};
  let total = 0;
  for (const f of data.facts) {
    if (f.day < from || f.day > opts.to || !inScope(f, opts.scope, opts.subject) || !counts(f, data.firstSeen)) continue;
    total += f.cost_nusd;
    byWorkload[f.workload] = (byWorkload[f.workload] ?? 0) + f.cost_nusd;
    byWorkload[`team:${f.team}`] = (byWorkload[`team:${f.team}`] ?? 0) + f.cost_nusd;
    byModel[f.model] = (byModel[f.model] ?? 0) + f.cost_nusd;
  }
  const share = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, total ? v / total : 0]));
  return { scope: opts.scope, subject: opts.subject, teamOfWorkload: opts.teamOfWorkload, workloadShare: share(byWorkload), modelShare: share(byModel) };
}
