/**
 * @module
 * The scheduled governance loops (thin wiring in workers/cron.ts): the daily consistency check
 * against the live configuration (alerts on errors or a broken hash chain), the monthly evidence
 * job (findings → proposals with a what-if attached; measured impact of applied ones), and the
 * quarterly review (opened with its items, closed into minutes proposed as an artifact version).
 */
import { and, desc, eq, gte } from "drizzle-orm";
import { getBundle } from "../config/loader";
import { db, nowIso } from "../config/store";
import * as gov from "../db/governance-schema";
import type { Env } from "../env";
import { ProblemError } from "../errors/problem";
import { raiseAlert } from "../operations/alerts";
import { verifyChain } from "./chain";
import { checkArtifacts, checkResult } from "./check";
import { analyseEvidence, evidenceRecord, workloadMetrics, type EvidenceFinding, type EvidenceRow } from "./evidence";
import { replayRecords } from "./live";
import { propose } from "./propose";
import { replayPolicyFromBundle } from "./replay-policy";
import { listProposals, listVersions, liveContext, liveVersion, updateProposal } from "./store";
import { whatIf } from "./whatif";

const DAY = 86_400_000;
const day = (t: number): string => new Date(t).toISOString().slice(0, 10);
/** The evidence window: the last 60 days (the requirement's 30–90). */
export const EVIDENCE_DAYS = 60;
/** Applied changes are measured once this many days of "after" exist. */
export const IMPACT_MIN_DAYS = 7;
const noWait = { waitUntil: (p: Promise<unknown>) => void p.catch(() => {}) };

/** Daily: the live version against the live configuration, and the hash chain. Alerts on errors. */
export async function runGovernanceCheck(env: Env, t: number): Promise<{ ok: boolean; errors: number }> {
  const live = await liveVersion(env);
  if (!live) return { ok: true, errors: 0 };
  const result = checkResult(checkArtifacts(live.artifacts, await liveContext(env, day(t))));
  const broken = await verifyChain(await listVersions(env));
  if (!result.ok || broken) {
    await raiseAlert(env, {
      kind: "governance_check", severity: broken ? "critical" : "warning",
      title: broken ? `Governance hash chain broken at version ${broken.version}` : `Governance check: ${result.errors.length} errors against the live configuration`,
      evidence: { version: live.version, errors: result.errors.slice(0, 20), ...(broken ? { chain_broken_at: broken } : {}) },
    });
  }
  return { ok: result.ok && !broken, errors: result.errors.length };
}

async function evidenceRecords(env: Env, since: string, until: string) {
  const rows = await env.DB.prepare(
    "SELECT ts, workload, key_id, status, error_code, cost_nusd, detail FROM usage_events WHERE ts >= ? AND ts < ? AND workload IS NOT NULL ORDER BY ts LIMIT 200000",
  ).bind(since, until).all<EvidenceRow>();
  return rows.results.map(evidenceRecord);
}

const findingKey = (f: { kind: string; workload: string; rule: string }) => `${f.kind}:${f.workload}:${f.rule}`;

/** Measures applied evidence-based changes that have enough "after": same metrics, before vs after. */
async function measureImpacts(env: Env, now: number): Promise<number> {
  let measured = 0;
  const versions = new Map((await listVersions(env)).map((v) => [v.version, v.applied_at]));
  for (const p of await listProposals(env, "applied")) {
    if (p.source !== "evidence-job" || p.impact || !p.appliedVersion) continue;
    const appliedAt = Date.parse(versions.get(p.appliedVersion) ?? "");
    const afterDays = Math.min(30, Math.floor((now - appliedAt) / DAY));
    if (!Number.isFinite(appliedAt) || afterDays < IMPACT_MIN_DAYS) continue;
    const workload = (p.evidence as { finding?: { workload?: string } } | null)?.finding?.workload;
    if (!workload) continue;
    const before = await evidenceRecords(env, new Date(appliedAt - 30 * DAY).toISOString(), new Date(appliedAt).toISOString());
    const after = await evidenceRecords(env, new Date(appliedAt).toISOString(), new Date(appliedAt + afterDays * DAY).toISOString());
    const impact = {
      workload,
      measured_at: new Date(now).toISOString(),
      before: { days: 30, ...workloadMetrics(before, workload, 30) },
      after: { days: afterDays, ...workloadMetrics(after, workload, afterDays) },
    };
    if (await updateProposal(env, p.id, "applied", { impact })) measured++;
  }
  return measured;
}

/**
 * Monthly: findings over the evidence window become proposals with their numbers and a what-if
 * replay attached; one open proposal per finding (a stale one is withdrawn and refiled).
 */
export async function runEvidenceJob(env: Env, now: number): Promise<{ findings: EvidenceFinding[]; proposals: string[]; impacts_measured: number }> {
  const impacts = await measureImpacts(env, now);
  const live = await liveVersion(env);
  if (!live) return { findings: [], proposals: [], impacts_measured: impacts };
  const since = new Date(now - EVIDENCE_DAYS * DAY).toISOString();
  const until = new Date(now).toISOString();
  const findings = analyseEvidence(await evidenceRecords(env, since, until), live.artifacts, { since, until, today: day(now) });
  const pending = (await listProposals(env)).filter((p) => p.source === "evidence-job" && (p.status === "open" || p.status === "approved"));
  const bundle = await getBundle(env, noWait);
  const proposals: string[] = [];
  for (const f of findings) {
    const same = pending.filter((p) => findingKey((p.evidence as { finding: EvidenceFinding }).finding) === findingKey(f));
    if (same.some((p) => p.baseVersion === live.version)) continue;
    for (const p of same) await updateProposal(env, p.id, p.status, { status: "rejected", rejectedBy: "system:evidence-job (stale: refiled on the live version)" });
    const replay = whatIf(await replayRecords(env, { since, until, workload: f.workload }), replayPolicyFromBundle(bundle), f.change.what_if);
    const created = await propose(env, {
      author: "system:evidence-job", artifacts: f.change.artifacts, rationale: f.summary, source: "evidence-job", at: until,
      evidence: { window: { since, until }, finding: { kind: f.kind, workload: f.workload, rule: f.rule, numbers: f.numbers }, what_if: replay },
    });
    const detail = JSON.stringify({ rule: f.rule, summary: f.summary, numbers: f.numbers });
    await db(env).insert(gov.governanceFindings)
      .values({ id: `gf_${crypto.randomUUID()}`, ts: until, kind: f.kind, workload: f.workload, detail, proposalId: created.id });
    proposals.push(created.id);
  }
  return { findings, proposals, impacts_measured: impacts };
}

export async function listFindings(env: Env) {
  const rows = await db(env).select().from(gov.governanceFindings).orderBy(desc(gov.governanceFindings.ts)).limit(200).all();
  return rows.map((r) => ({ id: r.id, ts: r.ts, kind: r.kind, workload: r.workload, proposal_id: r.proposalId, ...(JSON.parse(r.detail) as object) }));
}

const quarterOf = (t: number): string => `${new Date(t).getUTCFullYear()}-Q${Math.floor(new Date(t).getUTCMonth() / 3) + 1}`;

/** Quarterly: opens the quarter's review (once) with consistency results, findings, expiring exemptions, map items. */
export async function openQuarterlyReview(env: Env, t: number): Promise<{ id: string; quarter: string } | undefined> {
  const live = await liveVersion(env);
  if (!live) return undefined;
  const today = day(t);
  const horizon = day(t + 90 * DAY);
  const items = {
    version: live.version,
    consistency: checkResult(checkArtifacts(live.artifacts, await liveContext(env, today))),
    findings: (await listFindings(env)).filter((f) => f.ts >= new Date(t - 90 * DAY).toISOString()),
    expiring_exemptions: live.artifacts.exemptions.exemptions.filter((e) => e.expires <= horizon).map((e) => ({ id: e.id, workload: e.workload, rule: e.rule, expires: e.expires })),
    regulatory_map: {
      last_reviewed: live.artifacts.regulatory_map.reviewed ?? null,
      clauses: live.artifacts.regulatory_map.regulations.flatMap((r) =>
        r.clauses.map((c) => ({ regulation: r.id, clause: c.id, policies: c.policies, ...(c.not_applicable ? { not_applicable: c.not_applicable } : {}) })),
      ),
    },
  };
  const row = { id: `gr_${crypto.randomUUID()}`, quarter: quarterOf(t), openedAt: new Date(t).toISOString(), status: "open", items: JSON.stringify(items), closedAt: null, proposalId: null };
  const inserted = await db(env).insert(gov.governanceReviews).values(row).onConflictDoNothing().returning({ id: gov.governanceReviews.id }).all();
  return inserted.length ? { id: row.id, quarter: row.quarter } : undefined;
}

export async function listReviews(env: Env) {
  const rows = await db(env).select().from(gov.governanceReviews).orderBy(desc(gov.governanceReviews.openedAt)).all();
  return rows.map((r) => ({ id: r.id, quarter: r.quarter, opened_at: r.openedAt, status: r.status, closed_at: r.closedAt, proposal_id: r.proposalId, items: JSON.parse(r.items) as unknown }));
}

/**
 * Closes an open review: its minutes (attendees, the summary, links to the live version and the
 * proposals decided since it opened) and the regulatory map's review date become a proposal.
 */
export async function closeReview(env: Env, input: { id: string; author: string; summary: string; attendees: string[] }) {
  const review = await db(env).select().from(gov.governanceReviews).where(eq(gov.governanceReviews.id, input.id)).get();
  if (!review) throw new ProblemError(404, "Not Found", `No governance review ${input.id}.`);
  if (review.status !== "open") throw new ProblemError(409, "Conflict", `Review ${input.id} is ${review.status}.`);
  const live = await liveVersion(env);
  if (!live) throw new ProblemError(409, "Conflict", "No governance version is applied.");
  const decided = await db(env).select({ id: gov.governanceProposals.id }).from(gov.governanceProposals)
    .where(and(eq(gov.governanceProposals.status, "applied"), gte(gov.governanceProposals.createdAt, review.openedAt))).all();
  const today = day(Date.now());
  const changes = [{ version: live.version }, ...decided.map((d) => ({ proposal: d.id }))];
  const meeting = { date: today, attendees: input.attendees, decisions: [{ summary: `Quarterly review ${review.quarter}: ${input.summary}`, changes }] };
  const minutes = { meetings: [...live.artifacts.minutes.meetings, meeting] };
  const proposal = await propose(env, {
    author: input.author, artifacts: { minutes, regulatory_map: { ...live.artifacts.regulatory_map, reviewed: today } },
    rationale: `Minutes of the ${review.quarter} review`, source: "review", evidence: { review: review.id },
  });
  await db(env).update(gov.governanceReviews).set({ status: "closed", closedAt: nowIso(), proposalId: proposal.id }).where(eq(gov.governanceReviews.id, review.id));
  return { review: review.id, quarter: review.quarter, proposal };
}
