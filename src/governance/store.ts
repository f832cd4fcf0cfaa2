/**
 * @module
 * D1 reads and writes of governance state (drizzle): versions, proposals, and the live context
 * consistency checks run against. Applying a version goes through writeConfig, so the version row,
 * the proposal's status, the config-version bump and the audit row land in one transaction and
 * every edge picks the new classification scheme up with its next bundle refresh.
 */
import { and, desc, eq } from "drizzle-orm";
import { db, nowIso, schema as core, writeConfig } from "../config/store";
import type { TeamPut, WorkloadPut } from "../config/schemas";
import * as gov from "../db/governance-schema";
import type { Env } from "../env";
import { versionHash } from "./chain";
import type { CheckContext, LiveWorkload } from "./check";
import type { ArtifactSet } from "./schemas";
import type { Approval, ProposalState, ProposalStatus } from "./workflow";

export interface VersionRow {
  version: number;
  applied_at: string;
  author: string;
  approvers: string[];
  sha256: string;
  prev_sha256: string | null;
  proposal_id: string;
}

export interface Proposal extends ProposalState {
  createdAt: string;
  artifacts: ArtifactSet;
  rationale: string | null;
  evidence: unknown;
  rejectedBy: string | null;
  appliedVersion: number | null;
  impact: unknown;
  source: string;
}

type VersionRecord = typeof gov.governanceVersions.$inferSelect;
type ProposalRecord = typeof gov.governanceProposals.$inferSelect;

const parse = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));

function versionView(r: VersionRecord): VersionRow {
  return { version: r.version, applied_at: r.appliedAt, author: r.author, approvers: JSON.parse(r.approvers) as string[], sha256: r.sha256, prev_sha256: r.prevSha256, proposal_id: r.proposalId };
}

function proposalOf(r: ProposalRecord): Proposal {
  return {
    id: r.id, author: r.author, status: r.status as ProposalStatus, baseVersion: r.baseVersion, approvals: JSON.parse(r.approvals) as Approval[],
    createdAt: r.createdAt, artifacts: JSON.parse(r.artifacts) as ArtifactSet, rationale: r.rationale, evidence: parse(r.evidence),
    rejectedBy: r.rejectedBy, appliedVersion: r.appliedVersion, impact: parse(r.impact), source: r.source,
  };
}

/** The live (latest applied) version with its artifacts, or undefined before the first apply. */
export async function liveVersion(env: Pick<Env, "DB">): Promise<(VersionRow & { artifacts: ArtifactSet }) | undefined> {
  const r = await db(env).select().from(gov.governanceVersions).orderBy(desc(gov.governanceVersions.version)).limit(1).get();
  return r ? { ...versionView(r), artifacts: JSON.parse(r.artifacts) as ArtifactSet } : undefined;
}

export async function getVersion(env: Pick<Env, "DB">, version: number): Promise<(VersionRow & { artifacts: ArtifactSet }) | undefined> {
  const r = await db(env).select().from(gov.governanceVersions).where(eq(gov.governanceVersions.version, version)).get();
  return r ? { ...versionView(r), artifacts: JSON.parse(r.artifacts) as ArtifactSet } : undefined;
}

/** Every version, oldest first, with artifacts (for chain verification) or without. */
export async function listVersions(env: Pick<Env, "DB">): Promise<Array<VersionRow & { artifacts: unknown }>> {
  const rows = await db(env).select().from(gov.governanceVersions).orderBy(gov.governanceVersions.version).all();
  return rows.map((r) => ({ ...versionView(r), artifacts: JSON.parse(r.artifacts) as unknown }));
}

export async function getProposal(env: Pick<Env, "DB">, id: string): Promise<Proposal | undefined> {
  const r = await db(env).select().from(gov.governanceProposals).where(eq(gov.governanceProposals.id, id)).get();
  return r ? proposalOf(r) : undefined;
}

export async function listProposals(env: Pick<Env, "DB">, status?: string): Promise<Proposal[]> {
  const q = db(env).select().from(gov.governanceProposals);
  const rows = await (status ? q.where(eq(gov.governanceProposals.status, status)) : q).orderBy(desc(gov.governanceProposals.createdAt)).limit(200).all();
  return rows.map(proposalOf);
}

export async function insertProposal(
  env: Pick<Env, "DB">,
  p: { author: string; baseVersion: number; artifacts: ArtifactSet; rationale?: string; evidence?: unknown; source: string; at?: string },
): Promise<Proposal> {
  const row: ProposalRecord = {
    id: `gp_${crypto.randomUUID()}`, createdAt: p.at ?? nowIso(), author: p.author, status: "open", baseVersion: p.baseVersion, artifacts: JSON.stringify(p.artifacts),
    rationale: p.rationale ?? null, evidence: p.evidence === undefined ? null : JSON.stringify(p.evidence), approvals: "[]", rejectedBy: null,
    appliedVersion: null, impact: null, source: p.source,
  };
  await db(env).insert(gov.governanceProposals).values(row);
  return proposalOf(row);
}

/**
 * Updates a proposal only while it is still in `from` and, when given, still has exactly the
 * approvals it was read with: two approvers racing cannot overwrite each other's approval.
 */
export async function updateProposal(
  env: Pick<Env, "DB">,
  id: string,
  from: ProposalStatus,
  set: { status?: ProposalStatus; approvals?: Approval[]; rejectedBy?: string; impact?: unknown },
  fromApprovals?: Approval[],
): Promise<boolean> {
  const values: Partial<ProposalRecord> = {};
  if (set.status) values.status = set.status;
  if (set.approvals) values.approvals = JSON.stringify(set.approvals);
  if (set.rejectedBy) values.rejectedBy = set.rejectedBy;
  if (set.impact !== undefined) values.impact = JSON.stringify(set.impact);
  const res = await db(env).update(gov.governanceProposals).set(values)
    .where(and(
      eq(gov.governanceProposals.id, id),
      eq(gov.governanceProposals.status, from),
      fromApprovals ? eq(gov.governanceProposals.approvals, JSON.stringify(fromApprovals)) : undefined,
    ))
    .returning({ id: gov.governanceProposals.id }).all();
  return res.length === 1;
}

/** Live workloads (class and the team's zone) and catalog models, plus known proposals/versions. */
export async function liveContext(env: Pick<Env, "DB">, today: string): Promise<CheckContext> {
  const d = db(env);
  const [workloads, teams, models, proposals, versions] = await Promise.all([
    d.select().from(core.workloads).all(),
    d.select().from(core.teams).all(),
    d.select({ id: core.models.id }).from(core.models).all(),
    d.select({ id: gov.governanceProposals.id }).from(gov.governanceProposals).all(),
    d.select({ v: gov.governanceVersions.version }).from(gov.governanceVersions).all(),
  ]);
  const zones = new Map(teams.map((t) => [t.id, (JSON.parse(t.spec) as TeamPut).residency]));
  const live: LiveWorkload[] = [];
  for (const w of workloads) {
    const spec = JSON.parse(w.spec) as WorkloadPut;
    if (spec.lifecycle === "decommissioned") continue;
    live.push({ id: w.id, team: w.team, data_class: spec.default_data_class, zone: zones.get(w.team) ?? "us", allowed_models: spec.allowed_models });
  }
  return {
    today,
    live: { workloads: live, models: models.map((m) => m.id) },
    known: { proposals: proposals.map((p) => p.id), versions: versions.map((v) => v.v) },
  };
}

/**
 * Appends the next version of the chain and marks the proposal applied, atomically with the
 * config-version bump. Two concurrent applies race on the version primary key: one wins, the
 * other's whole batch fails and changes nothing.
 */
export async function appendVersion(env: Pick<Env, "DB">, p: Proposal, actor: string, at?: string): Promise<VersionRow> {
  const prev = await liveVersion(env);
  const version = (prev?.version ?? 0) + 1;
  const prevSha = prev?.sha256 ?? null;
  const sha256 = await versionHash({ version, prev_sha256: prevSha, artifacts: p.artifacts });
  const row: VersionRecord = {
    // `at` is only for the demo seed, which runs the loop over its synthetic past (src/governance/demo-history.ts).
    version, appliedAt: at ?? nowIso(), author: p.author, approvers: JSON.stringify(p.approvals.map((a) => a.by)), sha256, prevSha256: prevSha, proposalId: p.id,
    artifacts: JSON.stringify(p.artifacts),
  };
  const d = db(env);
  await writeConfig(
    env,
    [
      d.insert(gov.governanceVersions).values(row),
      d.update(gov.governanceProposals).set({ status: "applied", appliedVersion: version })
        .where(and(eq(gov.governanceProposals.id, p.id), eq(gov.governanceProposals.status, "approved"))),
    ],
    { actor, action: "governance.apply", resource: `governance/versions/${version}`, detail: { proposal: p.id, sha256, prev_sha256: prevSha } },
  );
  return versionView(row);
}
