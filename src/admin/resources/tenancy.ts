/**
 * @module
 * Admin resources for teams, workloads and API keys. Team owners see and manage only their own
 * team's workloads and keys; keys are shown once at creation and stored only as hashes.
 */
import { and, desc, isNull } from "drizzle-orm";
import { KeyCreate, TeamPut, WorkloadPut } from "../../config/schemas";
import { newApiKey, sha256Hex } from "../../config/secrets";
import { db, eq, nowIso, schema, specOf, writeConfig } from "../../config/store";
import { ProblemError } from "../../errors/problem";
import { checkCachePolicy } from "../../cache/validate";
import { requireTeamAccess } from "../auth";
import { adminRoute, type AdminRoute } from "../router";
import { parseResourceId as id } from "./catalog";

const KEY_PREFIX_LENGTH = 12;

function keyView(row: typeof schema.apiKeys.$inferSelect) {
  return {
    id: row.id, prefix: row.prefix, workload: row.workload, team: row.team, name: row.name,
    created_at: row.createdAt, expires_at: row.expiresAt, revoked_at: row.revokedAt,
  };
}

async function workloadOr404(env: Parameters<typeof db>[0], workloadId: string) {
  const row = await db(env).select().from(schema.workloads).where(eq(schema.workloads.id, workloadId)).get();
  if (!row) throw new ProblemError(404, "Not Found", `No workload ${workloadId}.`);
  return row;
}

export const tenancyRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "get", path: "/teams", tag: "teams", summary: "List teams", roles: ["finance", "auditor", "team-owner"],
    handler: async ({ env, principal }) => {
      const rows = await db(env).select().from(schema.teams).all();
      return { data: rows.filter((r) => principal.role !== "team-owner" || r.id === principal.team).map((r) => ({ id: r.id, ...specOf<TeamPut>(r), updated_at: r.updatedAt })) };
    },
  }),
  adminRoute({
    method: "get", path: "/teams/:id", tag: "teams", summary: "Get a team", roles: ["finance", "auditor", "team-owner"],
    handler: async ({ env, params, principal }) => {
      const teamId = id(params);
      requireTeamAccess(principal, teamId);
      const row = await db(env).select().from(schema.teams).where(eq(schema.teams.id, teamId)).get();
      if (!row) throw new ProblemError(404, "Not Found", `No team ${teamId}.`);
      return { id: row.id, ...specOf<TeamPut>(row), updated_at: row.updatedAt };
    },
  }),
  adminRoute({
    method: "put", path: "/teams/:id", tag: "teams", summary: "Create or replace a team", roles: [], body: TeamPut,
    handler: async ({ env, params, body, principal }) => {
      const teamId = id(params);
      const row = { id: teamId, residency: body.residency, spec: JSON.stringify(body), updatedAt: nowIso() };
      await writeConfig(env, [db(env).insert(schema.teams).values(row).onConflictDoUpdate({ target: schema.teams.id, set: row })], {
        actor: principal.sub, action: "team.put", resource: `teams/${teamId}`, detail: body,
      });
      return { id: teamId, ...body, updated_at: row.updatedAt };
    },
  }),
  adminRoute({
    method: "delete", path: "/teams/:id", tag: "teams", summary: "Delete a team (refused while it has workloads)", roles: [], status: 204,
    handler: async ({ env, params, principal }) => {
      const teamId = id(params);
      const child = await db(env).select({ id: schema.workloads.id }).from(schema.workloads).where(eq(schema.workloads.team, teamId)).get();
      if (child) throw new ProblemError(409, "Team Has Workloads", `Delete or move workload ${child.id} first.`);
      await writeConfig(env, [db(env).delete(schema.teams).where(eq(schema.teams.id, teamId))], { actor: principal.sub, action: "team.delete", resource: `teams/${teamId}` });
      return null;
    },
  }),
  adminRoute({
    method: "get", path: "/workloads", tag: "workloads", summary: "List workloads", roles: ["finance", "auditor", "team-owner"],
    handler: async ({ env, principal, query }) => {
      const team = principal.role === "team-owner" ? principal.team! : query.get("team");
      const q = db(env).select().from(schema.workloads);
      const rows = team ? await q.where(eq(schema.workloads.team, team)).all() : await q.all();
      return { data: rows.map((r) => ({ id: r.id, ...specOf<WorkloadPut>(r), updated_at: r.updatedAt })) };
    },
  }),
  adminRoute({
    method: "get", path: "/workloads/:id", tag: "workloads", summary: "Get a workload", roles: ["finance", "auditor", "team-owner"],
    handler: async ({ env, params, principal }) => {
      const row = await workloadOr404(env, id(params));
      requireTeamAccess(principal, row.team);
      return { id: row.id, ...specOf<WorkloadPut>(row), updated_at: row.updatedAt };
    },
  }),
  adminRoute({
    method: "put", path: "/workloads/:id", tag: "workloads", summary: "Create or replace a workload", roles: [], body: WorkloadPut,
    handler: async ({ env, params, body, principal }) => {
      const workloadId = id(params);
      const team = await db(env).select({ id: schema.teams.id }).from(schema.teams).where(eq(schema.teams.id, body.team)).get();
      if (!team) throw new ProblemError(422, "Unknown Team", `Team ${body.team} does not exist; create it first.`);
      await checkCachePolicy(env, body);
      // Lifecycle changes have criteria and approvals: they go through /transitions (src/workloads/lifecycle.ts).
      const current = await db(env).select({ lifecycle: schema.workloads.lifecycle }).from(schema.workloads).where(eq(schema.workloads.id, workloadId)).get();
      if (current && current.lifecycle !== body.lifecycle) {
        throw new ProblemError(409, "Use Transitions", `Workload ${workloadId} is ${current.lifecycle}; change its lifecycle with POST /admin/v1/workloads/${workloadId}/transitions.`);
      }
      const row = { id: workloadId, team: body.team, lifecycle: body.lifecycle, spec: JSON.stringify(body), updatedAt: nowIso() };
      await writeConfig(env, [db(env).insert(schema.workloads).values(row).onConflictDoUpdate({ target: schema.workloads.id, set: row })], {
        actor: principal.sub, action: "workload.put", resource: `workloads/${workloadId}`, detail: body,
      });
      return { id: workloadId, ...body, updated_at: row.updatedAt };
    },
  }),
  adminRoute({
    method: "delete", path: "/workloads/:id", tag: "workloads", summary: "Delete a workload and revoke its keys", roles: [], status: 204,
    handler: async ({ env, params, principal }) => {
      const workloadId = id(params);
      const d = db(env);
      await writeConfig(env, [
        d.update(schema.apiKeys).set({ revokedAt: nowIso() }).where(and(eq(schema.apiKeys.workload, workloadId), isNull(schema.apiKeys.revokedAt))),
        d.delete(schema.workloads).where(eq(schema.workloads.id, workloadId)),
      ], { actor: principal.sub, action: "workload.delete", resource: `workloads/${workloadId}` });
      return null;
    },
  }),
  adminRoute({
    method: "post", path: "/keys", tag: "keys", summary: "Issue an API key (shown once)", roles: ["team-owner"], body: KeyCreate, status: 201,
    handler: async ({ env, body, principal }) => {
      const workload = await workloadOr404(env, body.workload);
      requireTeamAccess(principal, workload.team);
      if (workload.lifecycle === "decommissioned") throw new ProblemError(409, "Workload Decommissioned", `Workload ${workload.id} is decommissioned.`);
      if (body.expires_at && Date.parse(body.expires_at) <= Date.now()) throw new ProblemError(400, "Invalid Request Body", "expires_at must be in the future.");
      const apiKey = newApiKey();
      const row = {
        id: `key_${crypto.randomUUID().replace(/-/g, "").slice(0, 16)}`,
        hash: await sha256Hex(apiKey), prefix: apiKey.slice(0, KEY_PREFIX_LENGTH), workload: workload.id, team: workload.team,
        name: body.name ?? null, createdAt: nowIso(), expiresAt: body.expires_at ? new Date(body.expires_at).toISOString() : null, revokedAt: null,
      };
      await writeConfig(env, [db(env).insert(schema.apiKeys).values(row)], { actor: principal.sub, action: "key.create", resource: `keys/${row.id}`, detail: { workload: workload.id } });
      return { ...keyView(row), api_key: apiKey };
    },
  }),
  adminRoute({
    method: "get", path: "/keys", tag: "keys", summary: "List API keys (prefixes only)", roles: ["auditor", "team-owner"],
    handler: async ({ env, principal, query }) => {
      const team = principal.role === "team-owner" ? principal.team! : query.get("team");
      const q = db(env).select().from(schema.apiKeys);
      const rows = team ? await q.where(eq(schema.apiKeys.team, team)).orderBy(desc(schema.apiKeys.createdAt)).all() : await q.orderBy(desc(schema.apiKeys.createdAt)).all();
      return { data: rows.map(keyView) };
    },
  }),
  adminRoute({
    method: "delete", path: "/keys/:id", tag: "keys", summary: "Revoke an API key (takes effect within seconds)", roles: ["team-owner"],
    handler: async ({ env, params, principal }) => {
      const keyId = String(params.id).slice(0, 64);
      const row = await db(env).select().from(schema.apiKeys).where(eq(schema.apiKeys.id, keyId)).get();
      if (!row) throw new ProblemError(404, "Not Found", `No key ${keyId}.`);
      requireTeamAccess(principal, row.team);
      const revokedAt = row.revokedAt ?? nowIso();
      if (!row.revokedAt) {
        await writeConfig(env, [db(env).update(schema.apiKeys).set({ revokedAt }).where(eq(schema.apiKeys.id, keyId))], { actor: principal.sub, action: "key.revoke", resource: `keys/${keyId}` });
      }
      return keyView({ ...row, revokedAt });
    },
  }),
];
