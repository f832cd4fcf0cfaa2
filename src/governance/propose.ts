/**
 * @module
 * Creating a governance proposal, shared by the admin route, the evidence job and the quarterly
 * review: validate each artifact (findings name file and path), merge over the live version,
 * store, and answer the diff and the consistency-check result against the live configuration.
 */
import { ProblemError } from "../errors/problem";
import type { Env } from "../env";
import { checkArtifacts, checkResult } from "./check";
import { diffArtifacts } from "./diff";
import { parseArtifacts } from "./files";
import { insertProposal, liveContext, liveVersion, type Proposal } from "./store";
import { mergeProposal } from "./workflow";

const today = (): string => new Date().toISOString().slice(0, 10);

/** A proposal as the admin API shows it. */
export function proposalView(p: Proposal) {
  return {
    id: p.id, status: p.status, author: p.author, created_at: p.createdAt, base_version: p.baseVersion, source: p.source,
    rationale: p.rationale, evidence: p.evidence ?? null, approvals: p.approvals, rejected_by: p.rejectedBy, applied_version: p.appliedVersion, impact: p.impact ?? null,
  };
}

/**
 * Creates a proposal (used by the route, the evidence job and the quarterly review): validates,
 * merges over the live version, and answers the diff and the consistency-check result.
 */
export async function propose(env: Pick<Env, "DB">, input: { author: string; artifacts: Record<string, unknown>; rationale?: string; evidence?: unknown; source: string; at?: string }) {
  const parsed = parseArtifacts(input.artifacts);
  if (parsed.findings.length) {
    throw new ProblemError(400, "Invalid Governance Artifacts", `${parsed.findings.length} schema errors`, parsed.findings.map((f) => ({ path: `${f.file} ${f.path}`, message: f.message })));
  }
  const live = await liveVersion(env);
  const merged = mergeProposal(live?.artifacts, parsed.set);
  if (!merged.set) throw new ProblemError(400, "Incomplete Artifact Set", `No version is applied yet, so the first proposal must carry every artifact; missing: ${merged.missing.join(", ")}.`);
  const proposal = await insertProposal(env, { author: input.author, baseVersion: live?.version ?? 0, artifacts: merged.set, rationale: input.rationale, evidence: input.evidence, source: input.source, at: input.at });
  const check = checkResult(checkArtifacts(merged.set, await liveContext(env, today())));
  return { ...proposalView(proposal), diff: diffArtifacts(live?.artifacts ?? {}, merged.set), check };
}
