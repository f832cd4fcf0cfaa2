/**
 * @module
 * Per-team operations policy: what the runbooks may do on their own for that team and whom they
 * page. Absent policy = the safest defaults (notify only, no auto-tuning).
 */
import { z } from "zod";
import type { Env } from "../env";

const Email = z.email().max(254);
const Bounds = z.object({ min: z.number().int().min(0), max: z.number().int().min(1) }).strict()
  .refine((b) => b.min <= b.max, "min must not exceed max");

export const OpsPolicy = z
  .object({
    /** Budget breach: notify only, cap a workload's rpm, or move it to a cheaper allowed model. */
    budget_action: z.enum(["notify", "throttle", "downgrade"]).default("notify"),
    /** rpm the heaviest workload is capped at when `budget_action` is throttle. */
    throttle_rpm: z.number().int().min(1).max(1_000_000).default(10),
    /** DLP spike: may tighten the workload's policy (redact → block) for this many minutes; 0 = never. */
    dlp_tighten_minutes: z.number().int().min(0).max(1_440).default(60),
    /** Weekly tuning may apply non-security recommendations (rpm/tpm within bounds, alert thresholds). */
    auto_tune: z.boolean().default(false),
    rpm_bounds: Bounds.optional(),
    tpm_bounds: Bounds.optional(),
    owner_email: Email.optional(),
    finance_email: Email.optional(),
    security_email: Email.optional(),
    oncall_email: Email.optional(),
  })
  .strict();
export type OpsPolicy = z.infer<typeof OpsPolicy>;

/** @example const p = await opsPolicy(env, "team-a"); p.budget_action === "notify" */
export async function opsPolicy(env: Pick<Env, "DB">, team: string | undefined): Promise<OpsPolicy> {
  if (!team) return OpsPolicy.parse({});
  const row = await env.DB.prepare("SELECT spec FROM ops_policies WHERE team = ?").bind(team).first<{ spec: string }>();
  const parsed = OpsPolicy.safeParse(row ? JSON.parse(row.spec) : {});
  return parsed.success ? parsed.data : OpsPolicy.parse({});
}
