/**
 * @module
 * /admin/v1/governance: proposals → approve/reject → apply → hash-chained versions, diff, export
 * and the live consistency check. The routes load and store; the decisions (merge, who may
 * approve, when a proposal may be applied) are src/governance/workflow.ts, the checks
 * src/governance/check.ts. Rollback is a new proposal carrying an older version's artifacts.
 */
import { z } from "zod";
import { ProblemError } from "../../errors/problem";
import { verifyChain } from "../../governance/chain";
import { checkArtifacts, checkResult } from "../../governance/check";
import { diffArtifacts } from "../../governance/diff";
import { artifactFiles } from "../../governance/files";
import { propose, proposalView } from "../../governance/propose";
import {
  appendVersion, getProposal, getVersion, listProposals, listVersions, liveContext, liveVersion, updateProposal, type Proposal,
} from "../../governance/store";
import { applyRefusal, approve, reject, reviewPolicy, type Refusal } from "../../governance/workflow";
import type { Env } from "../../env";
import { adminRoute, type AdminRoute } from "../router";

const ProposalBody = z
  .object({
    /** A full or partial artifact set: artifact name → content (each validated with its schema). */
    artifacts: z.record(z.string(), z.unknown()),
    rationale: z.string().max(8000).optional(),
    evidence: z.unknown().optional(),
  })
  .strict();

const today = (): string => new Date().toISOString().slice(0, 10);

function refuse(r: Refusal, errors?: Array<{ path: string; message: string }>): never {
  throw new ProblemError(r.status, r.status === 403 ? "Forbidden" : "Conflict", r.reason, errors);
}

async function mustProposal(env: Env, id: string): Promise<Proposal> {
  const p = await getProposal(env, id);
  if (!p) throw new ProblemError(404, "Not Found", `No governance proposal ${id}.`);
  return p;
}

function versionParam(v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ProblemError(400, "Invalid Version", `Version must be a positive integer, got '${v}'.`);
  return n;
}

export const governanceRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "post", path: "/governance/proposals", tag: "governance", summary: "Propose a full or partial artifact set; answers the diff and the check", roles: "any", body: ProposalBody, status: 201,
    handler: ({ env, body, principal }) => propose(env, { author: principal.sub, artifacts: body.artifacts, rationale: body.rationale, evidence: body.evidence, source: "human" }),
  }),
  adminRoute({
    method: "get", path: "/governance/proposals", tag: "governance", summary: "Proposals, newest first (?status=open|approved|rejected|applied)", roles: "any",
    handler: async ({ env, query }) => ({ data: (await listProposals(env, query.get("status") ?? undefined)).map(proposalView) }),
  }),
  adminRoute({
    method: "get", path: "/governance/proposals/:id", tag: "governance", summary: "One proposal with its diff against the live version and its check", roles: "any",
    handler: async ({ env, params }) => {
      const p = await mustProposal(env, params.id);
      const base = p.baseVersion ? await getVersion(env, p.baseVersion) : undefined;
      return { ...proposalView(p), diff: diffArtifacts(base?.artifacts ?? {}, p.artifacts), check: checkResult(checkArtifacts(p.artifacts, await liveContext(env, today()))) };
    },
  }),
  adminRoute({
    method: "post", path: "/governance/proposals/:id/approve", tag: "governance", summary: "Approve (approver roles; never the author)", roles: ["auditor"],
    handler: async ({ env, params, principal }) => {
      const p = await mustProposal(env, params.id);
      const r = approve(p, principal, reviewPolicy((await liveVersion(env))?.artifacts), new Date().toISOString());
      if ("reason" in r) refuse(r);
      const stored = await updateProposal(env, p.id, p.status, { status: r.status, approvals: r.approvals }, p.approvals);
      if (!stored) refuse({ status: 409, reason: `proposal ${p.id} changed meanwhile; retry` });
      return proposalView({ ...p, status: r.status, approvals: r.approvals });
    },
  }),
  adminRoute({
    method: "post", path: "/governance/proposals/:id/reject", tag: "governance", summary: "Reject (approver roles, or the author withdrawing)", roles: "any",
    handler: async ({ env, params, principal }) => {
      const p = await mustProposal(env, params.id);
      const r = reject(p, principal, reviewPolicy((await liveVersion(env))?.artifacts));
      if (r) refuse(r);
      if (!(await updateProposal(env, p.id, p.status, { status: "rejected", rejectedBy: principal.sub }))) refuse({ status: 409, reason: `proposal ${p.id} changed meanwhile; retry` });
      return proposalView({ ...p, status: "rejected", rejectedBy: principal.sub });
    },
  }),
  adminRoute({
    method: "post", path: "/governance/proposals/:id/apply", tag: "governance", summary: "Apply an approved, still consistent proposal as the next version", roles: [],
    handler: async ({ env, params, principal }) => {
      const p = await mustProposal(env, params.id);
      const live = await liveVersion(env);
      const findings = checkResult(checkArtifacts(p.artifacts, await liveContext(env, today())));
      const r = applyRefusal(p, live?.version ?? 0, findings.errors.length);
      if (r) refuse(r, findings.errors.map((f) => ({ path: `${f.file} ${f.path}`, message: f.message })));
      try {
        return await appendVersion(env, p, principal.sub);
      } catch {
        // The version primary key lost a race with another apply: nothing was written.
        return refuse({ status: 409, reason: "another version was applied at the same time; propose again on top of it" });
      }
    },
  }),
  adminRoute({
    method: "get", path: "/governance/versions", tag: "governance", summary: "Applied versions, oldest first, with the hash chain (chain_valid verifies it)", roles: "any",
    handler: async ({ env }) => {
      const all = await listVersions(env);
      const broken = await verifyChain(all);
      return { data: all.map(({ artifacts: _a, proposal_id: _p, ...v }) => v), chain_valid: broken === null, ...(broken ? { chain_broken_at: broken } : {}) };
    },
  }),
  adminRoute({
    method: "get", path: "/governance/versions/:v", tag: "governance", summary: "One applied version with its artifacts", roles: "any",
    handler: async ({ env, params }) => {
      const v = await getVersion(env, versionParam(params.v));
      if (!v) throw new ProblemError(404, "Not Found", `No governance version ${params.v}.`);
      return v;
    },
  }),
  adminRoute({
    method: "get", path: "/governance/versions/:a/diff/:b", tag: "governance", summary: "What changed from version a to version b", roles: "any",
    handler: async ({ env, params }) => {
      const [a, b] = await Promise.all([getVersion(env, versionParam(params.a)), getVersion(env, versionParam(params.b))]);
      if (!a || !b) throw new ProblemError(404, "Not Found", `No governance version ${!a ? params.a : params.b}.`);
      return { from: a.version, to: b.version, changes: diffArtifacts(a.artifacts, b.artifacts) };
    },
  }),
  adminRoute({
    method: "get", path: "/governance/export", tag: "governance", summary: "The live version as the files of governance/ (YAML)", roles: "any",
    handler: async ({ env }) => {
      const live = await liveVersion(env);
      if (!live) throw new ProblemError(404, "Not Found", "No governance version has been applied yet.");
      return { version: live.version, sha256: live.sha256, files: artifactFiles(live.artifacts) };
    },
  }),
  adminRoute({
    method: "get", path: "/governance/check", tag: "governance", summary: "Consistency check of the live version against the live configuration", roles: "any",
    handler: async ({ env }) => {
      const live = await liveVersion(env);
      if (!live) throw new ProblemError(404, "Not Found", "No governance version has been applied yet.");
      return { version: live.version, ...checkResult(checkArtifacts(live.artifacts, await liveContext(env, today()))) };
    },
  }),
];
