/**
 * @module
 * The review-and-approve workflow as pure decisions: how a proposal's partial set becomes a full
 * one, who may approve, when a proposal counts as approved, and whether it may be applied. The
 * admin routes (src/admin/resources/governance.ts) load and store; every rule lives here.
 */
import type { Role } from "../admin/auth";
import { ARTIFACT_NAMES, type ArtifactName, type ArtifactSet, type PartialArtifactSet } from "./schemas";

export type ProposalStatus = "open" | "approved" | "rejected" | "applied";

export interface Approval {
  by: string;
  role: Role;
  at: string;
}

export interface ProposalState {
  id: string;
  author: string;
  status: ProposalStatus;
  baseVersion: number;
  approvals: Approval[];
}

/** How many approvals and which roles, from the live acceptable-use policy (default 1, admin/auditor). */
export function reviewPolicy(live: ArtifactSet | undefined): { approvalsRequired: number; approverRoles: Role[] } {
  const r = live?.acceptable_use.review;
  return { approvalsRequired: r?.approvals_required ?? 1, approverRoles: (r?.approver_roles as Role[] | undefined) ?? ["admin", "auditor"] };
}

/**
 * The full proposed set: the partial set over the base. With no applied version yet, the
 * proposal must carry every artifact; the missing ones are returned.
 * @example mergeProposal(live, { exemptions }) // { set, missing: [] }
 */
export function mergeProposal(base: ArtifactSet | undefined, partial: PartialArtifactSet): { set?: ArtifactSet; missing: ArtifactName[] } {
  const merged = { ...(base ?? {}), ...partial } as Partial<ArtifactSet>;
  const missing = ARTIFACT_NAMES.filter((n) => merged[n] === undefined);
  return missing.length ? { missing } : { set: merged as ArtifactSet, missing };
}

export type Refusal = { status: 403 | 409; reason: string };

/**
 * Records an approval, or says why not: only open proposals, only approver roles, never the
 * author, never twice by one person. The proposal is approved once it has enough approvals.
 * @example const r = approve(p, { sub: "bob", role: "auditor" }, policy, now); if ("reason" in r) refuse(r);
 */
export function approve(
  p: ProposalState,
  who: { sub: string; role: Role },
  policy: ReturnType<typeof reviewPolicy>,
  at: string,
): Refusal | { approvals: Approval[]; status: ProposalStatus } {
  if (p.status !== "open") return { status: 409, reason: `proposal ${p.id} is ${p.status}; only open proposals can be approved` };
  if (!policy.approverRoles.includes(who.role)) return { status: 403, reason: `role ${who.role} may not approve governance changes (approver roles: ${policy.approverRoles.join(", ")})` };
  if (who.sub === p.author) return { status: 403, reason: `${who.sub} wrote proposal ${p.id} and cannot approve it; another approver must` };
  if (p.approvals.some((a) => a.by === who.sub)) return { status: 409, reason: `${who.sub} has already approved proposal ${p.id}` };
  const approvals = [...p.approvals, { by: who.sub, role: who.role, at }];
  return { approvals, status: approvals.length >= policy.approvalsRequired ? "approved" : "open" };
}

/** Rejecting: approver roles only, open or approved proposals only (the author may withdraw their own). */
export function reject(p: ProposalState, who: { sub: string; role: Role }, policy: ReturnType<typeof reviewPolicy>): Refusal | null {
  if (p.status !== "open" && p.status !== "approved") return { status: 409, reason: `proposal ${p.id} is ${p.status}` };
  if (who.sub !== p.author && !policy.approverRoles.includes(who.role)) return { status: 403, reason: `role ${who.role} may not reject governance changes` };
  return null;
}

/**
 * Whether an approved proposal may be applied now: approved, made against the live version, and
 * with no consistency error against the live configuration.
 */
export function applyRefusal(p: ProposalState, liveVersion: number, consistencyErrors: number): Refusal | null {
  if (p.status !== "approved") return { status: 409, reason: `proposal ${p.id} is ${p.status}; only approved proposals can be applied` };
  if (p.baseVersion !== liveVersion) {
    return { status: 409, reason: `proposal ${p.id} was made against version ${p.baseVersion} but version ${liveVersion} is live; propose again on top of it` };
  }
  if (consistencyErrors > 0) return { status: 409, reason: `proposal ${p.id} is no longer consistent (${consistencyErrors} errors); see errors` };
  return null;
}
