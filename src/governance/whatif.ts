/**
 * @module
 * What-if replay: the recorded request metadata of the last N days (workload, model, provider,
 * class, the entity types DLP found — never values — and cost) replayed against the current
 * policy and against a proposed change, as a pure function. Per workload it counts requests that
 * would be blocked, redacted, raised, rerouted or refused, and the cost difference. No live
 * traffic is touched; the admin route only reads usage_events and the bundle.
 */
import { z } from "zod";
import { DATA_CLASS_RANK, type DataClass, type Zone } from "../config/schemas";

/** One recorded request, as usage_events keeps it. */
export interface ReplayRecord {
  ts: string;
  workload: string;
  model: string | null;
  provider: string | null;
  /** The edge that served it: the team's home zone. */
  region: string;
  cost_nusd: number;
  declared_class?: DataClass;
  /** Entity types request DLP found. */
  dlp_types: string[];
}

type Action = { action: "allow" | "redact" | "block" } | { action: "raise"; to: "internal" | "restricted" };

/** The part of one workload's policy the replay needs. */
export interface ReplayWorkload {
  defaultClass: DataClass;
  allowedModels: ReadonlySet<string>;
  dlpAction(type: string): Action;
  budgetNusd?: number;
  rpm?: number;
}

export interface ReplayPolicy {
  workloads: ReadonlyMap<string, ReplayWorkload>;
  /** Classification scheme: entity type → implied class. */
  classification: ReadonlyMap<string, DataClass>;
  modelClasses: ReadonlyMap<string, ReadonlySet<DataClass>>;
  /** Model → zones its targets serve from (to tell a reroute from a refusal). */
  modelZones: ReadonlyMap<string, ReadonlySet<string>>;
  providerZone: ReadonlyMap<string, Zone>;
}

const ActionInput = z.union([z.enum(["allow", "redact", "block", "raise"]), z.object({ action: z.literal("raise"), to: z.enum(["internal", "restricted"]) }).strict()]);

/** A proposed change: the kinds of change the replay understands. */
export const WhatIfChange = z
  .object({
    workload: z.string().min(1).max(64).optional(),
    dlp: z.object({ actions: z.record(z.string().regex(/^[A-Z][A-Z0-9_]{1,47}$/), ActionInput) }).strict().optional(),
    classification: z.record(z.string().regex(/^[A-Z][A-Z0-9_]{1,47}$/), z.enum(["public", "internal", "restricted"])).optional(),
    allowed_models: z.array(z.string().min(1).max(128)).optional(),
    budget_usd: z.number().min(0).max(10_000_000).optional(),
    rpm: z.number().int().min(0).max(10_000_000).optional(),
  })
  .strict()
  .refine((c) => c.workload !== undefined || (c.dlp === undefined && c.allowed_models === undefined && c.budget_usd === undefined && c.rpm === undefined), {
    message: "dlp, allowed_models, budget_usd and rpm changes name a workload",
  });
export type WhatIfChange = z.infer<typeof WhatIfChange>;

export interface OutcomeCounts {
  blocked: number;
  redacted: number;
  raised: number;
  rerouted: number;
  refused: number;
  cost_usd: number;
}

export interface WorkloadReplay {
  workload: string;
  requests: number;
  current: OutcomeCounts;
  proposed: OutcomeCounts;
  delta: OutcomeCounts;
  /** Requests refused today that the change would let through: their cost is unknown. */
  cost_unknown_requests: number;
}

type Outcome = "blocked" | "refused" | "served";
interface Decision { outcome: Outcome; redacted: boolean; raised: boolean; rerouted: boolean }

const maxClass = (a: DataClass, b: DataClass | undefined): DataClass => (b && DATA_CLASS_RANK[b] > DATA_CLASS_RANK[a] ? b : a);

function decide(r: ReplayRecord, w: ReplayWorkload, p: ReplayPolicy): Decision {
  let redacted = false;
  const floor = maxClass(w.defaultClass, r.declared_class);
  let cls = floor;
  for (const t of r.dlp_types) {
    const a = w.dlpAction(t);
    if (a.action === "block") return { outcome: "blocked", redacted: false, raised: false, rerouted: false };
    if (a.action === "redact") redacted = true;
    if (a.action === "raise") cls = maxClass(cls, a.to);
    cls = maxClass(cls, p.classification.get(t));
  }
  const raised = DATA_CLASS_RANK[cls] > DATA_CLASS_RANK[floor];
  const refused = { outcome: "refused" as const, redacted, raised, rerouted: false };
  if (r.model === null) return { outcome: "served", redacted, raised, rerouted: false };
  if (!w.allowedModels.has(r.model)) return refused;
  const classes = p.modelClasses.get(r.model);
  if (classes && !classes.has(cls)) return refused;
  // Zone-bound classes are served in the team's zone only: an out-of-zone provider means a reroute, or a refusal.
  const zone = r.provider ? p.providerZone.get(r.provider) : undefined;
  const rerouteNeeded = cls !== "public" && zone !== undefined && zone !== r.region;
  if (rerouteNeeded && !p.modelZones.get(r.model)?.has(r.region)) return refused;
  return { outcome: "served", redacted, raised, rerouted: rerouteNeeded };
}

/** Applies budget and rpm in time order over the served requests of one workload. */
function applyLimits(records: ReplayRecord[], decisions: Decision[], w: ReplayWorkload): void {
  const monthSpend = new Map<string, number>();
  const minuteCount = new Map<string, number>();
  records.forEach((r, i) => {
    const d = decisions[i];
    if (d.outcome !== "served") return;
    if (w.rpm !== undefined) {
      const minute = r.ts.slice(0, 16);
      const n = (minuteCount.get(minute) ?? 0) + 1;
      minuteCount.set(minute, n);
      if (n > w.rpm) return void (d.outcome = "refused");
    }
    if (w.budgetNusd !== undefined) {
      const month = r.ts.slice(0, 7);
      const spent = (monthSpend.get(month) ?? 0) + r.cost_nusd;
      if (spent > w.budgetNusd) return void (d.outcome = "refused");
      monthSpend.set(month, spent);
    }
  });
}

/** The proposed policy: the change applied over the current one. */
export function proposedPolicy(current: ReplayPolicy, change: WhatIfChange): ReplayPolicy {
  const classification = new Map(current.classification);
  for (const [t, c] of Object.entries(change.classification ?? {})) classification.set(t, c);
  const workloads = new Map(current.workloads);
  const base = change.workload ? current.workloads.get(change.workload) : undefined;
  if (change.workload && base) {
    const overrides = change.dlp?.actions ?? {};
    workloads.set(change.workload, {
      defaultClass: base.defaultClass,
      allowedModels: change.allowed_models ? new Set(change.allowed_models) : base.allowedModels,
      dlpAction: (t) => {
        const o = overrides[t];
        if (o === undefined) return base.dlpAction(t);
        return typeof o === "object" ? o : o === "raise" ? { action: "raise", to: "restricted" } : { action: o };
      },
      budgetNusd: change.budget_usd !== undefined ? Math.round(change.budget_usd * 1e9) : base.budgetNusd,
      rpm: change.rpm ?? base.rpm,
    });
  }
  return { ...current, classification, workloads };
}

function counts(records: ReplayRecord[], ds: Decision[]): OutcomeCounts {
  const c: OutcomeCounts = { blocked: 0, redacted: 0, raised: 0, rerouted: 0, refused: 0, cost_usd: 0 };
  let nusd = 0;
  ds.forEach((d, i) => {
    if (d.outcome === "blocked") c.blocked++;
    else if (d.outcome === "refused") c.refused++;
    else nusd += records[i].cost_nusd;
    if (d.outcome !== "blocked" && d.redacted) c.redacted++;
    if (d.outcome !== "blocked" && d.raised) c.raised++;
    if (d.outcome === "served" && d.rerouted) c.rerouted++;
  });
  c.cost_usd = nusd / 1e9;
  return c;
}

/**
 * Replays `records` against the current policy and the proposed change; one result per workload
 * touched by the change (all workloads for a classification change).
 * @example whatIf(records, policy, { workload: "support-bot", dlp: { actions: { EMAIL_ADDRESS: "block" } } })
 */
export function whatIf(records: readonly ReplayRecord[], current: ReplayPolicy, change: WhatIfChange): WorkloadReplay[] {
  const proposed = proposedPolicy(current, change);
  const byWorkload = new Map<string, ReplayRecord[]>();
  for (const r of records) {
    if (change.workload && r.workload !== change.workload) continue;
    if (!current.workloads.has(r.workload)) continue;
    (byWorkload.get(r.workload) ?? byWorkload.set(r.workload, []).get(r.workload)!).push(r);
  }
  const out: WorkloadReplay[] = [];
  for (const [workload, list] of [...byWorkload].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort((a, b) => a.ts.localeCompare(b.ts));
    const before = list.map((r) => decide(r, current.workloads.get(workload)!, current));
    const after = list.map((r) => decide(r, proposed.workloads.get(workload)!, proposed));
    applyLimits(list, before, current.workloads.get(workload)!);
    applyLimits(list, after, proposed.workloads.get(workload)!);
    const cur = counts(list, before);
    const prop = counts(list, after);
    const unknown = list.filter((_, i) => before[i].outcome !== "served" && after[i].outcome === "served").length;
    // Requests refused today were recorded at no cost: served under the change, their cost is unknown
    // (counted in cost_unknown_requests, not guessed).
    const delta = { ...cur };
    for (const k of Object.keys(cur) as Array<keyof OutcomeCounts>) delta[k] = round(prop[k] - cur[k]);
    out.push({ workload, requests: list.length, current: roundCost(cur), proposed: roundCost(prop), delta, cost_unknown_requests: unknown });
  }
  return out;
}

const round = (n: number): number => Math.round(n * 1e6) / 1e6;
const roundCost = (c: OutcomeCounts): OutcomeCounts => ({ ...c, cost_usd: round(c.cost_usd) });
