/**
 * @module
 * Applying a tuning recommendation: the config change (team rpm/tpm, a workload's DLP action)
 * through writeConfig with an audit row, the before-metrics kept on the recommendation and the
 * date its impact is measured (14 days later). Recommendations without a concrete setting
 * (review a silent rule, budget alert thresholds, which have no per-team knob) are refused.
 */
import type { TeamPut } from "../../config/schemas";
import { db, eq, nowIso, schema, writeConfig } from "../../config/store";
import type { Env } from "../../env";
import { ProblemError } from "../../errors/problem";
import { changeWorkload } from "../runbooks/workload-config";

export const IMPACT_AFTER_MS = 14 * 86_400_000;

export interface RecommendationRow {
  id: string; created_at: string; guardrail: string; finding: string; team: string | null; workload: string | null; subject: string;
  security: number; current: string | null; proposed: string | null; evidence: string; status: string;
  decided_by: string | null; decided_at: string | null; note: string | null; before_metrics: string | null; impact_due_at: string | null; impact: string | null;
}

const parse = (s: string | null): unknown => (s === null ? null : (JSON.parse(s) as unknown));

export function recommendationView(r: RecommendationRow) {
  return {
    ...r, security: r.security === 1, current: parse(r.current), proposed: parse(r.proposed), evidence: parse(r.evidence),
    before_metrics: parse(r.before_metrics), impact: parse(r.impact), auto_applicable: r.security === 0 && (r.guardrail === "rpm_limit" || r.guardrail === "tpm_limit"),
  };
}

async function setTeamLimit(env: Env, team: string, kind: "rpm" | "tpm", value: number, actor: string, recId: string): Promise<void> {
  const row = await db(env).select().from(schema.teams).where(eq(schema.teams.id, team)).get();
  if (!row) throw new ProblemError(409, "Team Gone", `Team ${team} no longer exists.`);
  const spec = JSON.parse(row.spec) as TeamPut;
  const next = { ...spec, [kind]: value };
  await writeConfig(env, [db(env).update(schema.teams).set({ spec: JSON.stringify(next), updatedAt: nowIso() }).where(eq(schema.teams.id, team))], {
    actor, action: "guardrail_recommendation.apply", resource: `teams/${team}`, detail: { recommendation: recId, [kind]: { from: spec[kind], to: value } },
  });
}

/**
 * @example await applyRecommendation(env, row, "admin@acme")
 */
export async function applyRecommendation(env: Env, r: RecommendationRow, actor: string): Promise<void> {
  if (r.status !== "open") throw new ProblemError(409, "Already Decided", `Recommendation ${r.id} is ${r.status}.`);
  const proposed = parse(r.proposed);
  if ((r.guardrail === "rpm_limit" || r.guardrail === "tpm_limit") && typeof proposed === "number" && r.team) {
    await setTeamLimit(env, r.team, r.guardrail === "rpm_limit" ? "rpm" : "tpm", proposed, actor, r.id);
  } else if (r.guardrail === "dlp_rule" && typeof proposed === "string" && r.workload) {
    const type = r.subject.split("/").at(-1)!;
    const changed = await changeWorkload(env, r.workload, (w) => ({ ...w, dlp: { ...w.dlp, actions: { ...w.dlp?.actions, [type]: proposed } } as typeof w.dlp }), {
      actor, action: "guardrail_recommendation.apply", detail: { recommendation: r.id, type, from: parse(r.current), to: proposed },
    });
    if (!changed) throw new ProblemError(409, "Workload Gone", `Workload ${r.workload} no longer exists.`);
  } else {
    throw new ProblemError(422, "Not Applicable", `Recommendation ${r.id} has no setting to apply (${r.guardrail}/${r.finding}); change it by hand and dismiss it with a note.`);
  }
  const now = Date.now();
  await env.DB.prepare("UPDATE guardrail_recommendations SET status = 'applied', decided_by = ?, decided_at = ?, before_metrics = evidence, impact_due_at = ? WHERE id = ? AND status = 'open'")
    .bind(actor, new Date(now).toISOString(), new Date(now + IMPACT_AFTER_MS).toISOString(), r.id).run();
}
