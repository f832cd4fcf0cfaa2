/**
 * @module
 * /admin/v1/governance analyses: regulatory impact, what-if replay, evidence findings and the
 * quarterly reviews. Each route reads; the answers come from pure functions in src/governance/.
 */
import { z } from "zod";
import { getBundle } from "../../config/loader";
import { ProblemError } from "../../errors/problem";
import { regulatoryImpact } from "../../governance/impact";
import { providersByModel, replayRecords } from "../../governance/live";
import { replayPolicyFromBundle } from "../../governance/replay-policy";
import { liveContext, liveVersion } from "../../governance/store";
import { WhatIfChange, whatIf } from "../../governance/whatif";
import { closeReview, listFindings, listReviews, runEvidenceJob } from "../../governance/jobs";
import { adminRoute, type AdminRoute } from "../router";

const WhatIfBody = z.object({ change: WhatIfChange, days: z.number().int().min(1).max(90).default(30) }).strict();
const CloseReviewBody = z.object({ summary: z.string().min(1).max(8000), attendees: z.array(z.string().min(1).max(200)).min(1) }).strict();

export const governanceAnalysisRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "get", path: "/governance/impact", tag: "governance", summary: "Policies, workloads, teams and providers a regulation (clause) reaches", roles: "any",
    handler: async ({ env, query }) => {
      const regulation = query.get("regulation");
      if (!regulation) throw new ProblemError(400, "Missing Parameter", "Pass ?regulation=<id>, optionally &clause=<id>.");
      const live = await liveVersion(env);
      if (!live) throw new ProblemError(404, "Not Found", "No governance version has been applied yet.");
      const ctx = await liveContext(env, new Date().toISOString().slice(0, 10));
      const result = regulatoryImpact(live.artifacts, { regulation, clause: query.get("clause") ?? undefined }, ctx.live!.workloads, await providersByModel(env));
      if (!result) throw new ProblemError(404, "Not Found", `The regulatory map of version ${live.version} has no ${regulation}${query.get("clause") ? ` ${query.get("clause")}` : ""}.`);
      return { version: live.version, ...result };
    },
  }),
  adminRoute({
    method: "post", path: "/governance/what-if", tag: "governance", summary: "Replay the last N days of request metadata against a proposed change", roles: "any", body: WhatIfBody,
    handler: async ({ env, body, waitUntil }) => {
      const bundle = await getBundle(env, { waitUntil });
      if (body.change.workload && !bundle.workloads.has(body.change.workload)) throw new ProblemError(404, "Not Found", `No workload ${body.change.workload}.`);
      const since = new Date(Date.now() - body.days * 86_400_000).toISOString();
      const records = await replayRecords(env, { since, workload: body.change.workload });
      return { days: body.days, since, records: records.length, workloads: whatIf(records, replayPolicyFromBundle(bundle), body.change) };
    },
  }),
  adminRoute({
    method: "get", path: "/governance/findings", tag: "governance", summary: "Findings of the evidence job (too restrictive / too permissive, with numbers)", roles: "any",
    handler: async ({ env }) => ({ data: await listFindings(env) }),
  }),
  adminRoute({
    method: "post", path: "/governance/evidence/run", tag: "governance", summary: "Run the evidence job now (the monthly cron runs it too)", roles: ["auditor"], status: 201,
    handler: async ({ env }) => runEvidenceJob(env, Date.now()),
  }),
  adminRoute({
    method: "get", path: "/governance/reviews", tag: "governance", summary: "Quarterly reviews with their items", roles: "any",
    handler: async ({ env }) => ({ data: await listReviews(env) }),
  }),
  adminRoute({
    method: "post", path: "/governance/reviews/:id/close", tag: "governance", summary: "Close a review: its minutes become a proposal (an artifact version once applied)", roles: ["auditor"], body: CloseReviewBody,
    handler: async ({ env, params, body, principal }) => closeReview(env, { id: params.id, author: principal.sub, ...body }),
  }),
];
