/**
 * @module
 * Admin routes for the agent plane's oversight loops: shadow-agent discoveries (closed by
 * registering or terminating), behavioural baselines (a deviation is accepted only by a person)
 * and quarterly access reviews (approve or revoke each grant; history kept). Every decision is
 * written with an audit row.
 */
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { z } from "zod";
import type { AdminRoute } from "../admin/router";
import { adminRoute } from "../admin/router";
import { requireTeamAccess, type Principal } from "../admin/auth";
import { configDb } from "../config/control-db";
import { db, nowIso, writeConfig } from "../config/store";
import { accessReviewItems, accessReviews, agentBaselines, agentDiscoveries, agents } from "../db/agents-schema";
import { apiKeys } from "../db/schema";
import { ProblemError } from "../errors/problem";
import type { Env } from "../env";
import { escalateOverdueReviews, openAccessReview, runBaselines, runShadowDiscovery } from "./jobs";
import { sameGrant } from "./reviews";
import { AgentId, DiscoveryRegister, DiscoveryTerminate, ReviewDecision, type AgentPut, type Grant } from "./schemas";

const RowId = z.string().min(1).max(80).regex(/^[A-Za-z0-9_-]+$/);

function rowId(params: Record<string, string>, name = "id"): string {
  const parsed = RowId.safeParse(params[name]);
  if (!parsed.success) throw new ProblemError(400, "Invalid Id", `"${String(params[name]).slice(0, 80)}" is not an id.`);
  return parsed.data;
}

function agentParam(params: Record<string, string>): string {
  const parsed = AgentId.safeParse(params.id);
  if (!parsed.success) throw new ProblemError(400, "Invalid Id", `"${String(params.id).slice(0, 80)}" is not an agent id.`);
  return parsed.data;
}

type DiscoveryRow = typeof agentDiscoveries.$inferSelect;
const discoveryView = (r: DiscoveryRow) => ({ ...r, subject: JSON.parse(r.subject), evidence: JSON.parse(r.evidence) });

async function openDiscovery(env: Env, id: string): Promise<DiscoveryRow> {
  const row = await db(env).select().from(agentDiscoveries).where(eq(agentDiscoveries.id, id)).get();
  if (!row) throw new ProblemError(404, "Not Found", `No discovery ${id}.`);
  if (row.status !== "open") throw new ProblemError(409, "Already Resolved", `Discovery ${id} was ${row.status} at ${row.resolvedAt}.`);
  return row;
}

/**
 * A campaign with its items. A campaign spans every team, so a team owner sees only the items of
 * its own team's agents (items of deleted agents, whose team is unknown, are hidden from it).
 */
async function reviewView(env: Env, id: string, principal?: Principal) {
  const review = await db(env).select().from(accessReviews).where(eq(accessReviews.id, id)).get();
  if (!review) throw new ProblemError(404, "Not Found", `No access review ${id}.`);
  let items = await db(env).select().from(accessReviewItems).where(eq(accessReviewItems.reviewId, id)).all();
  if (principal?.role === "team-owner") {
    const own = new Set((await db(env).select({ id: agents.id }).from(agents).where(eq(agents.team, principal.team!)).all()).map((a) => a.id));
    items = items.filter((i) => own.has(i.agent));
  }
  return { ...review, items: items.map((i) => ({ ...i, grantSpec: undefined, grant: JSON.parse(i.grantSpec) as Grant, unused_90d: i.unused90d === 1, unused90d: undefined })) };
}

export const governanceRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "get", path: "/discoveries", tag: "agent-discovery", summary: "Shadow agents found (filter with ?status=open|registered|terminated)", roles: ["auditor"],
    handler: async ({ env, query }) => {
      const status = query.get("status");
      const q = db(env).select().from(agentDiscoveries);
      const rows = status ? await q.where(eq(agentDiscoveries.status, status)).all() : await q.all();
      return { data: rows.map(discoveryView) };
    },
  }),
  adminRoute({
    method: "post", path: "/discoveries/run", tag: "agent-discovery", summary: "Run shadow-agent discovery now (the daily cron does this too)", roles: [],
    handler: async ({ env }) => runShadowDiscovery(env, Date.now()),
  }),
  adminRoute({
    method: "get", path: "/discoveries/:id", tag: "agent-discovery", summary: "One discovery with its evidence", roles: ["auditor"],
    handler: async ({ env, params }) => {
      const row = await db(env).select().from(agentDiscoveries).where(eq(agentDiscoveries.id, rowId(params))).get();
      if (!row) throw new ProblemError(404, "Not Found", `No discovery ${params.id}.`);
      return discoveryView(row);
    },
  }),
  adminRoute({
    method: "post", path: "/discoveries/:id/register", tag: "agent-discovery", summary: "Close a discovery as belonging to a registered agent", roles: [], body: DiscoveryRegister,
    handler: async ({ env, params, body, principal }) => {
      const row = await openDiscovery(env, rowId(params));
      if (!(await db(env).select({ id: agents.id }).from(agents).where(eq(agents.id, body.agent_id)).get())) {
        throw new ProblemError(422, "Unknown Agent", `Register agent ${body.agent_id} with PUT /agents/${body.agent_id} first.`);
      }
      const ts = nowIso();
      const resolution = JSON.stringify({ action: "registered", agent_id: body.agent_id, note: body.note ?? null });
      await writeConfig(env, [db(env).update(agentDiscoveries).set({ status: "registered", resolvedAt: ts, resolvedBy: principal.sub, resolution }).where(eq(agentDiscoveries.id, row.id))], {
        actor: principal.sub, action: "agent.discovery.register", resource: `discoveries/${row.id}`, detail: { agent_id: body.agent_id, subject: JSON.parse(row.subject) },
      });
      return discoveryView({ ...row, status: "registered", resolvedAt: ts, resolvedBy: principal.sub, resolution });
    },
  }),
  adminRoute({
    method: "post", path: "/discoveries/:id/terminate", tag: "agent-discovery", summary: "Close a discovery by revoking the API keys involved", roles: [], body: DiscoveryTerminate,
    handler: async ({ env, params, body, principal }) => {
      const row = await openDiscovery(env, rowId(params));
      const subject = JSON.parse(row.subject) as { key_id: string | null };
      const keys = subject.key_id ? [subject.key_id] : [];
      const ts = nowIso();
      const resolution = JSON.stringify({ action: "terminated", revoked_keys: keys, note: body.note ?? null });
      const d = db(env);
      await writeConfig(env, [
        ...(keys.length ? [d.update(apiKeys).set({ revokedAt: ts }).where(and(inArray(apiKeys.id, keys), isNull(apiKeys.revokedAt)))] : []),
        d.update(agentDiscoveries).set({ status: "terminated", resolvedAt: ts, resolvedBy: principal.sub, resolution }).where(eq(agentDiscoveries.id, row.id)),
      ], { actor: principal.sub, action: "agent.discovery.terminate", resource: `discoveries/${row.id}`, detail: { revoked_keys: keys, note: body.note } });
      return discoveryView({ ...row, status: "terminated", resolvedAt: ts, resolvedBy: principal.sub, resolution });
    },
  }),
  adminRoute({
    method: "post", path: "/baselines/run", tag: "agent-baselines", summary: "Recompute baselines and raise deviation alerts now (daily cron does this too)", roles: [],
    handler: async ({ env }) => runBaselines(env, Date.now()),
  }),
  adminRoute({
    method: "get", path: "/agents/:id/baseline", tag: "agent-baselines", summary: "An agent's behavioural baseline", roles: ["auditor", "team-owner"],
    handler: async ({ env, params, principal }) => {
      const id = agentParam(params);
      if (principal.role === "team-owner") {
        const agent = await db(env).select({ team: agents.team }).from(agents).where(eq(agents.id, id)).get();
        // A deleted agent's baseline has no team to check against: only auditors and admins read it.
        if (!agent) throw new ProblemError(404, "Not Found", `No agent ${id}.`);
        requireTeamAccess(principal, agent.team);
      }
      const row = await db(env).select().from(agentBaselines).where(eq(agentBaselines.agent, id)).get();
      if (!row) throw new ProblemError(404, "Not Found", `No baseline for agent ${id} yet.`);
      return { agent: id, profile: JSON.parse(row.profile), updated_at: row.updatedAt };
    },
  }),
  adminRoute({
    method: "post", path: "/agents/:id/baseline/accept", tag: "agent-baselines", summary: "Mark a deviation investigated so the baseline may follow the new behaviour", roles: [], body: DiscoveryTerminate,
    handler: async ({ env, params, body, principal }) => {
      const id = agentParam(params);
      const row = await db(env).select().from(agentBaselines).where(eq(agentBaselines.agent, id)).get();
      if (!row) throw new ProblemError(404, "Not Found", `No baseline for agent ${id} yet.`);
      const { pending_deviation, ...profile } = JSON.parse(row.profile) as { pending_deviation?: unknown };
      await writeConfig(env, [db(env).update(agentBaselines).set({ profile: JSON.stringify(profile), updatedAt: nowIso() }).where(eq(agentBaselines.agent, id))], {
        actor: principal.sub, action: "agent.baseline.accept", resource: `agents/${id}/baseline`, detail: { investigated: pending_deviation ?? null, note: body.note },
      });
      return { agent: id, profile };
    },
  }),
  adminRoute({
    method: "get", path: "/access-reviews", tag: "access-reviews", summary: "Access-review campaigns, newest first (history kept)", roles: ["auditor"],
    handler: async ({ env }) => ({ data: (await db(env).select().from(accessReviews).all()).sort((a, b) => b.openedAt.localeCompare(a.openedAt)) }),
  }),
  adminRoute({
    method: "post", path: "/access-reviews", tag: "access-reviews", summary: "Open this quarter's campaign now (idempotent; the quarterly cron does this)", roles: [], status: 201,
    handler: async ({ env, principal }) => reviewView(env, (await openAccessReview(env, Date.now(), principal.sub)).id),
  }),
  adminRoute({
    method: "get", path: "/access-reviews/:id", tag: "access-reviews", summary: "A campaign with every grant, last use and decision", roles: ["auditor", "team-owner"],
    handler: async ({ env, params, principal }) => reviewView(env, rowId(params), principal),
  }),
  adminRoute({
    method: "post", path: "/access-reviews/escalate", tag: "access-reviews", summary: "Escalate overdue campaigns now (daily cron does this)", roles: [],
    handler: async ({ env }) => ({ escalated: await escalateOverdueReviews(env, Date.now()) }),
  }),
  adminRoute({
    method: "post", path: "/access-reviews/:id/items/:item", tag: "access-reviews", summary: "Approve or revoke one grant; revoking removes it from the agent", roles: [], body: ReviewDecision,
    handler: async ({ env, params, body, principal }) => {
      const review = await db(env).select().from(accessReviews).where(eq(accessReviews.id, rowId(params))).get();
      if (!review) throw new ProblemError(404, "Not Found", `No access review ${params.id}.`);
      if (review.status !== "open") throw new ProblemError(409, "Review Closed", `Review ${review.id} is ${review.status}.`);
      const item = await db(env).select().from(accessReviewItems).where(and(eq(accessReviewItems.id, rowId(params, "item")), eq(accessReviewItems.reviewId, review.id))).get();
      if (!item) throw new ProblemError(404, "Not Found", `No item ${params.item} in review ${review.id}.`);
      if (item.decision) throw new ProblemError(409, "Already Decided", `Item ${item.id} was ${item.decision}d by ${item.reviewer}.`);
      const d = db(env);
      const ts = nowIso();
      const writes: BatchItem<"sqlite">[] = [d.update(accessReviewItems).set({ decision: body.decision, reviewer: principal.sub, note: body.note ?? null, decidedAt: ts }).where(eq(accessReviewItems.id, item.id))];
      if (body.decision === "revoke") {
        const agent = await d.select().from(agents).where(eq(agents.id, item.agent)).get();
        if (agent) {
          const spec = JSON.parse(agent.spec) as AgentPut;
          const grant = JSON.parse(item.grantSpec) as Grant;
          const next = { ...spec, grants: spec.grants.filter((g) => !sameGrant(g, grant)) };
          writes.push(d.update(agents).set({ spec: JSON.stringify(next), policyVersion: agent.policyVersion + 1, updatedAt: ts }).where(eq(agents.id, agent.id)));
        }
      }
      const undecided = await configDb(env).prepare("SELECT count(*) AS n FROM access_review_items WHERE review_id = ? AND decision IS NULL AND id != ?").bind(review.id, item.id).first<{ n: number }>();
      if ((undecided?.n ?? 0) === 0) writes.push(d.update(accessReviews).set({ status: "completed", closedAt: ts }).where(eq(accessReviews.id, review.id)));
      await writeConfig(env, writes, { actor: principal.sub, action: `agent.access_review.${body.decision}`, resource: `access-reviews/${review.id}/items/${item.id}`, detail: { agent: item.agent, grant: JSON.parse(item.grantSpec), note: body.note } });
      return reviewView(env, review.id);
    },
  }),
];
