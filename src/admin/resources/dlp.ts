/**
 * @module
 * POST /admin/v1/dlp/scan: what DLP finds in a text, under the default policy or a workload's.
 * The answer holds types, offsets and scores, never the matched values, and the text is neither
 * logged nor stored.
 */
import { z } from "zod";
import { WorkloadPut } from "../../config/schemas";
import { db, eq, schema, specOf } from "../../config/store";
import { DEFAULT_DLP_POLICY, applyDlp, compileDlpPolicy } from "../../dlp";
import { ProblemError } from "../../errors/problem";
import { requireTeamAccess } from "../auth";
import { adminRoute, type AdminRoute } from "../router";

const ScanBody = z
  .object({
    text: z.string().max(1_000_000),
    /** Scan under this workload's policy instead of the default. */
    workload: z.string().min(1).max(64).optional(),
  })
  .strict();

export const dlpRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "post", path: "/dlp/scan", tag: "dlp", summary: "Scan a text with DLP: findings (type, start, end, score), never values", roles: "any", body: ScanBody,
    handler: async ({ env, body, principal }) => {
      let policy = compileDlpPolicy(DEFAULT_DLP_POLICY);
      if (body.workload) {
        const row = await db(env).select().from(schema.workloads).where(eq(schema.workloads.id, body.workload)).get();
        if (!row) throw new ProblemError(404, "Not Found", `No workload ${body.workload}.`);
        requireTeamAccess(principal, row.team);
        const spec = specOf<WorkloadPut>(row);
        if (spec.dlp) policy = compileDlpPolicy(spec.dlp);
      }
      const r = applyDlp(policy, body.text);
      return {
        findings: r.findings.map((f) => ({ type: f.type, start: f.start, end: f.end, score: Math.round(f.score * 1000) / 1000 })),
        blocked: r.blocked,
        raise_to: r.raiseTo ?? null,
      };
    },
  }),
];
