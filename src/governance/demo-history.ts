/**
 * @module
 * The demo organisation's governance history, made by the system's own loop over the seeded
 * request metadata (scripts/lib/governance-history.mjs generates that metadata; this runs the
 * real code over it in the seed's simulated time): the repo's artifacts are applied 90 days ago,
 * the evidence job runs 45 days ago on the 60 days before, its proposals are approved by the
 * review board's auditor and applied (each only if still consistent), and the job run "now"
 * measures their impact before vs after. Idempotent: nothing happens once a version exists.
 */
import type { Env } from "../env";
import { checkArtifacts, checkResult } from "./check";
import { parseArtifactFiles } from "./files";
import { runEvidenceJob } from "./jobs";
import { propose } from "./propose";
import { appendVersion, getProposal, liveContext, liveVersion, updateProposal } from "./store";
import { approve, reviewPolicy } from "./workflow";

const DAY = 86_400_000;
export const DEMO_REVIEWER = { sub: "security-review@acme.example", role: "auditor" as const };

/** Approves as the board's auditor and applies at `at` when approved and consistent; returns the version. */
async function approveAndApply(env: Pick<Env, "DB">, id: string, at: number): Promise<number | undefined> {
  const p = await getProposal(env, id);
  if (!p) return undefined;
  const live = await liveVersion(env);
  const r = approve(p, DEMO_REVIEWER, reviewPolicy(live?.artifacts), new Date(at).toISOString());
  if ("reason" in r || !(await updateProposal(env, id, "open", { status: r.status, approvals: r.approvals }, p.approvals))) return undefined;
  const check = checkResult(checkArtifacts(p.artifacts, await liveContext(env, new Date(at).toISOString().slice(0, 10))));
  if (!check.ok || r.status !== "approved" || p.baseVersion !== (live?.version ?? 0)) return undefined;
  const applied = await appendVersion(env, { ...p, status: "approved", approvals: r.approvals }, "demo-admin", new Date(at).toISOString());
  return applied.version;
}

/**
 * @example await seedGovernanceHistory({ DB: db }, files, Date.now())
 */
export async function seedGovernanceHistory(env: Pick<Env, "DB">, files: Record<string, string>, now: number): Promise<{ versions: number[]; proposals: string[] }> {
  if (await liveVersion(env)) return { versions: [], proposals: [] };
  const { set, findings } = parseArtifactFiles(files);
  if (!set) throw new Error(`governance/ does not parse: ${findings.map((f) => `${f.file} ${f.path}: ${f.message}`).join("; ")}`);
  const full = env as Env;
  const versions: number[] = [];
  const t0 = now - 90 * DAY;
  const initial = await propose(env, { author: "governance-lead@acme.example", artifacts: { ...set }, rationale: "Initial governance artifacts from the repository", source: "human", at: new Date(t0).toISOString() });
  const v1 = await approveAndApply(env, initial.id, t0);
  if (v1) versions.push(v1);
  // The monthly job, 45 days ago; a stale proposal is refiled by the next run on the new version.
  const t1 = now - 45 * DAY;
  const proposals: string[] = [];
  for (let run = 0; run < 3; run++) {
    const { proposals: filed } = await runEvidenceJob(full, t1 + run * 60_000);
    if (filed.length === 0) break;
    for (const id of filed) {
      proposals.push(id);
      const v = await approveAndApply(env, id, t1 + run * 60_000 + 30_000);
      if (v) versions.push(v);
    }
  }
  await runEvidenceJob(full, now); // measures the impact of what was applied at t1
  return { versions, proposals };
}
