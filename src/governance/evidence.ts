/**
 * @module
 * Evidence-driven refinement as pure functions over recorded request metadata and the live
 * artifacts. Findings say which policy is too restrictive (frequent blocks that users work around
 * by retrying without the value) or too permissive (an exemption nobody exercises still widens
 * what is allowed), each with its numbers and the artifact change that would address it; the job
 * (./jobs.ts) attaches a what-if replay and files the change as a proposal. After apply, the same
 * metrics before vs after are the change's measured impact.
 */
import type { ArtifactSet, Exemptions } from "./schemas";

/** One request as the evidence job reads it (usage_events; DLP types, never values). */
export interface EvidenceRecord {
  ts: string;
  workload: string;
  key_id: string | null;
  status: number;
  error_code: string | null;
  cost_nusd: number;
  dlp_types: string[];
  dlp_blocked: string[];
}

export interface EvidenceFinding {
  kind: "too_restrictive" | "too_permissive";
  workload: string;
  rule: string;
  summary: string;
  numbers: Record<string, number>;
  /** The artifact change that addresses it (a partial set), and the replayable change. */
  change: { artifacts: Partial<ArtifactSet>; what_if: { workload: string; dlp: { actions: Record<string, "redact" | "block"> } } };
}

export interface EvidenceOptions {
  /** Window start/end (ISO); the window is what the numbers cover. */
  since: string;
  until: string;
  /** Today (YYYY-MM-DD) for new exemptions' ids and expiry. */
  today: string;
  minBlocks?: number;
  minRetryRate?: number;
  retryWindowMs?: number;
}

/** Which AUP rule a DLP type is enforced for (`enforced_by: ["dlp:SECRET"]`). */
function ruleFor(set: ArtifactSet, type: string): string | undefined {
  return set.acceptable_use.rules.find((r) => r.enforced_by.includes(`dlp:${type}`))?.id;
}

const addDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Blocks of `type` per workload, and how many were followed by a success on the same key without it. */
function blockStats(records: readonly EvidenceRecord[], retryWindowMs: number): Map<string, { blocks: number; retried: number; requests: number }> {
  const stats = new Map<string, { blocks: number; retried: number; requests: number }>();
  const byKey = new Map<string, EvidenceRecord[]>();
  for (const r of records) if (r.key_id) (byKey.get(r.key_id) ?? byKey.set(r.key_id, []).get(r.key_id)!).push(r);
  const requests = new Map<string, number>();
  for (const r of records) requests.set(r.workload, (requests.get(r.workload) ?? 0) + 1);
  for (const list of byKey.values()) {
    list.sort((a, b) => a.ts.localeCompare(b.ts));
    list.forEach((r, i) => {
      for (const type of r.dlp_blocked) {
        const k = `${r.workload}\u0000${type}`;
        const s = stats.get(k) ?? { blocks: 0, retried: 0, requests: requests.get(r.workload) ?? 0 };
        s.blocks++;
        const until = Date.parse(r.ts) + retryWindowMs;
        for (let j = i + 1; j < list.length && Date.parse(list[j].ts) <= until; j++) {
          if (list[j].status === 200 && !list[j].dlp_types.includes(type)) {
            s.retried++;
            break;
          }
        }
        stats.set(k, s);
      }
    });
  }
  return stats;
}

/**
 * Findings over one window of records.
 * @example analyseEvidence(records, liveSet, { since, until, today: "2026-12-02" })
 */
export function analyseEvidence(records: readonly EvidenceRecord[], set: ArtifactSet, o: EvidenceOptions): EvidenceFinding[] {
  const out: EvidenceFinding[] = [];
  const minBlocks = o.minBlocks ?? 20;
  const minRetryRate = o.minRetryRate ?? 0.5;
  const exempt = new Set(set.exemptions.exemptions.filter((e) => e.expires >= o.today).flatMap((e) => Object.keys(e.effect?.dlp ?? {}).map((t) => `${e.workload}\u0000${t}`)));
  for (const [k, s] of [...blockStats(records, o.retryWindowMs ?? 15 * 60_000)].sort(([a], [b]) => a.localeCompare(b))) {
    const [workload, type] = k.split("\u0000");
    const rule = ruleFor(set, type);
    const retryRate = s.blocks ? s.retried / s.blocks : 0;
    if (!rule || exempt.has(k) || s.blocks < minBlocks || retryRate < minRetryRate) continue;
    const exemption: Exemptions["exemptions"][number] = {
      id: `EX-${workload}-${type}-${o.today}`.slice(0, 64), workload, rule,
      reason:
        `Evidence ${o.since.slice(0, 10)}..${o.until.slice(0, 10)}: ${s.blocks} ${type} blocks, ` +
        `${Math.round(retryRate * 100)}% retried without the value within minutes; mask instead of refuse for 90 days and re-measure.`,
      requested_by: "system:evidence-job", approver: "governance review board", expires: addDays(o.today, 90), effect: { dlp: { [type]: "redact" } },
    };
    out.push({
      kind: "too_restrictive", workload, rule,
      summary: `${rule} (${type} block) on ${workload}: ${s.blocks} blocks in ${s.requests} requests, ${s.retried} retried without the value`,
      numbers: { requests: s.requests, blocks: s.blocks, retried_without_value: s.retried, retry_rate: Math.round(retryRate * 1000) / 1000 },
      change: { artifacts: { exemptions: { exemptions: [...set.exemptions.exemptions, exemption] } }, what_if: { workload, dlp: { actions: { [type]: "redact" } } } },
    });
  }
  // An exemption whose effect nobody exercised in the window widens policy for nothing: remove it.
  for (const e of set.exemptions.exemptions) {
    const types = Object.keys(e.effect?.dlp ?? {});
    if (types.length === 0) continue;
    const workloadRequests = records.filter((r) => r.workload === e.workload);
    const exercised = workloadRequests.filter((r) => r.dlp_types.some((t) => types.includes(t))).length;
    if (workloadRequests.length === 0 || exercised > 0) continue;
    out.push({
      kind: "too_permissive", workload: e.workload, rule: e.rule,
      summary: `exemption ${e.id} (${types.join(", ")} on ${e.workload}) was not exercised by any of ${workloadRequests.length} requests; remove it`,
      numbers: { requests: workloadRequests.length, exercised },
      change: {
        artifacts: { exemptions: { exemptions: set.exemptions.exemptions.filter((x) => x.id !== e.id) } },
        what_if: { workload: e.workload, dlp: { actions: Object.fromEntries(types.map((t) => [t, "block" as const])) } },
      },
    });
  }
  return out;
}

/** The same metrics for one workload over a window: requests, blocks, DLP types seen, cost per day. */
export function workloadMetrics(records: readonly EvidenceRecord[], workload: string, days: number): Record<string, number> {
  const mine = records.filter((r) => r.workload === workload);
  const blocked = mine.filter((r) => r.error_code === "dlp_blocked").length;
  const served = mine.filter((r) => r.status === 200).length;
  const cost = mine.reduce((s, r) => s + r.cost_nusd, 0);
  const perDay = (n: number) => Math.round((n / Math.max(days, 1)) * 1000) / 1000;
  return {
    requests_per_day: perDay(mine.length),
    blocked_per_day: perDay(blocked),
    served_per_day: perDay(served),
    block_rate: mine.length ? Math.round((blocked / mine.length) * 1000) / 1000 : 0,
    cost_usd_per_day: perDay(cost / 1e9),
  };
}

/** A usage_events row as the evidence job selects it: the record's columns, DLP still packed in `detail`. */
export interface EvidenceRow extends Omit<EvidenceRecord, "dlp_types" | "dlp_blocked"> {
  detail: string | null;
}

export function evidenceRecord(row: EvidenceRow): EvidenceRecord {
  let d: { dlp_request?: { types?: unknown; blocked?: unknown } } = {};
  try {
    d = row.detail ? (JSON.parse(row.detail) as typeof d) : {};
  } catch {
    d = {};
  }
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  const { detail: _detail, ...facts } = row;
  return { ...facts, dlp_types: strings(d.dlp_request?.types), dlp_blocked: strings(d.dlp_request?.blocked) };
}
