/**
 * @module
 * The annual framework review: a checklist generated once per year (the January run of the
 * quarterly cron, or on demand) from standing framework questions plus the live assessment's
 * gaps and not-applicable decisions. Items are completed by a person; each completion is audited.
 */
import { and, desc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { configDb } from "../config/control-db";
import { audit } from "../config/store";
import * as m from "../db/maturity-schema";
import type { Env } from "../env";
import { ProblemError } from "../errors/problem";
import { assess } from "./assess";
import { gatherFacts } from "./gather-facts";
import type { Assessment } from "./types";

export interface ChecklistItem {
  id: string;
  text: string;
  criterion_id?: string;
}

/** The questions the requirements ask every year, whatever the score. */
export const FRAMEWORK_ITEMS: readonly ChecklistItem[] = [
  { id: "fw.models", text: "Review the model catalog against models released this year: what they make possible, and what new risk they bring." },
  { id: "fw.governance", text: "Re-read the AUP, data classification scheme and exemptions against the current state of the technology." },
  { id: "fw.regulatory", text: "Check the regulatory map for regulations and standards that changed or now apply." },
  { id: "fw.gateway", text: "Evaluate gateway configuration: routing strategies, failover targets, regions and cache policy." },
  { id: "fw.agents", text: "Evaluate the agent security model: grants, delegation depth, authentication and baselines." },
  { id: "fw.thresholds", text: "Revisit this assessment's thresholds (drill cadence, forecast error, dataset size) and the scope decisions behind not-applicable criteria." },
];

/**
 * The year's checklist: framework items, then one per not-met criterion and one per
 * not-applicable decision to confirm.
 * @example annualChecklist(assessment).length >= FRAMEWORK_ITEMS.length
 */
export function annualChecklist(a: Assessment): ChecklistItem[] {
  const criteria = a.layers.flatMap((l) => l.criteria);
  return [
    ...FRAMEWORK_ITEMS,
    ...criteria.filter((c) => c.status === "not_met").map((c) => ({ id: `gap.${c.id}`, criterion_id: c.id, text: `Close the gap on ${c.id}: ${c.missing[0] ?? c.text}` })),
    ...criteria.filter((c) => c.status === "not_applicable").map((c) => ({ id: `na.${c.id}`, criterion_id: c.id, text: `Confirm ${c.id} is still not applicable: ${c.reason ?? ""}` })),
  ];
}

const mdb = (env: Pick<Env, "DB" | "CONTROL_DB">) => drizzle(configDb(env));

export interface ReviewView {
  id: string;
  year: number;
  generated_at: string;
  generated_by: string;
  items: Array<ChecklistItem & { done: boolean; done_by?: string; done_at?: string; note?: string }>;
}

async function reviewView(env: Env, r: typeof m.maturityReviews.$inferSelect): Promise<ReviewView> {
  const items = await mdb(env).select().from(m.maturityReviewItems).where(eq(m.maturityReviewItems.reviewId, r.id)).orderBy(m.maturityReviewItems.position).all();
  return {
    id: r.id, year: r.year, generated_at: r.generatedAt, generated_by: r.generatedBy,
    items: items.map((i) => ({
      id: i.id, text: i.text, ...(i.criterionId ? { criterion_id: i.criterionId } : {}), done: !!i.doneAt,
      ...(i.doneAt ? { done_by: i.doneBy ?? undefined, done_at: i.doneAt } : {}), ...(i.note ? { note: i.note } : {}),
    })),
  };
}

/**
 * The year's review, generating it when it does not exist yet (one per year).
 * @example const { review, created } = await generateReview(env, { year: 2027, actor: "cron:quarterly", now });
 */
export async function generateReview(env: Env, o: { year: number; actor: string; now: number }): Promise<{ review: ReviewView; created: boolean }> {
  const d = mdb(env);
  const existing = await d.select().from(m.maturityReviews).where(eq(m.maturityReviews.year, o.year)).get();
  if (existing) return { review: await reviewView(env, existing), created: false };
  const items = annualChecklist(assess(await gatherFacts(env, o.now)));
  const row = { id: `mrev_${o.year}`, year: o.year, generatedAt: new Date(o.now).toISOString(), generatedBy: o.actor };
  // One transaction, one row per statement (D1 binds at most 100 parameters per statement). A
  // concurrent run that generated the year first makes every insert here a no-op.
  const [inserted] = await d.batch([
    d.insert(m.maturityReviews).values(row).onConflictDoNothing().returning({ id: m.maturityReviews.id }),
    ...items.map((i, position) => d.insert(m.maturityReviewItems).values({ reviewId: row.id, id: i.id, position, text: i.text, criterionId: i.criterion_id ?? null }).onConflictDoNothing()),
  ]);
  if (!inserted.length) return generateReview(env, o);
  await audit(env, { actor: o.actor, action: "maturity.review.generate", resource: `maturity/reviews/${row.id}`, detail: { year: o.year, items: items.length } });
  return { review: await reviewView(env, row), created: true };
}

export async function listReviews(env: Env): Promise<ReviewView[]> {
  const rows = await mdb(env).select().from(m.maturityReviews).orderBy(desc(m.maturityReviews.year)).all();
  return Promise.all(rows.map((r) => reviewView(env, r)));
}

/** Marks one checklist item done; audited. Completing twice is a conflict, not a silent no-op. */
export async function completeItem(env: Env, o: { reviewId: string; itemId: string; actor: string; note?: string }): Promise<ReviewView> {
  const d = mdb(env);
  const review = await d.select().from(m.maturityReviews).where(eq(m.maturityReviews.id, o.reviewId)).get();
  if (!review) throw new ProblemError(404, "Not Found", `No annual review ${o.reviewId}.`);
  const where = and(eq(m.maturityReviewItems.reviewId, o.reviewId), eq(m.maturityReviewItems.id, o.itemId));
  const item = await d.select().from(m.maturityReviewItems).where(where).get();
  if (!item) throw new ProblemError(404, "Not Found", `Review ${o.reviewId} has no item ${o.itemId}.`);
  if (item.doneAt) throw new ProblemError(409, "Already Done", `Item ${o.itemId} was completed by ${item.doneBy} at ${item.doneAt}.`);
  await d.update(m.maturityReviewItems).set({ doneBy: o.actor, doneAt: new Date().toISOString(), note: o.note ?? null }).where(where);
  await audit(env, { actor: o.actor, action: "maturity.review.item.complete", resource: `maturity/reviews/${o.reviewId}/items/${o.itemId}`, detail: o.note ? { note: o.note } : undefined });
  return reviewView(env, review);
}
