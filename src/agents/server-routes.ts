/**
 * @module
 * Admin routes for upstream MCP servers: registration (admins; the URL must pass the URL policy),
 * reads (team owners see only servers their team owns or was given), and cross-team consent: the
 * owner team's owner (or an admin) shares a server with another team, which lets that team's
 * owner grant its agents tools on it; withdrawing consent removes those grants at once (policy
 * versions move, so compiled rules reload). Every change is written with an audit row.
 */
import { eq, inArray } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { AdminRoute } from "../admin/router";
import { adminRoute } from "../admin/router";
import { requireTeamAccess, type Principal } from "../admin/auth";
import { db, nowIso, writeConfig } from "../config/store";
import { agents, mcpServers } from "../db/agents-schema";
import { teams } from "../db/schema";
import { ProblemError } from "../errors/problem";
import type { Env } from "../env";
import { serverSharedWith } from "./consent";
import { AgentId, McpServerPut, ServerConsent, type AgentPut } from "./schemas";
import { checkUpstreamUrl, urlPolicyOf } from "./url-guard";

type ServerRow = typeof mcpServers.$inferSelect;

function serverId(params: Record<string, string>, name = "id"): string {
  const parsed = AgentId.safeParse(params[name]);
  if (!parsed.success) throw new ProblemError(400, "Invalid Id", `"${String(params[name]).slice(0, 80)}": ${parsed.error.issues[0].message}`);
  return parsed.data;
}

const specOf = (row: ServerRow) => McpServerPut.parse(JSON.parse(row.spec));
const serverView = (row: ServerRow) => ({ id: row.id, ...specOf(row), updated_at: row.updatedAt });

/** Team owners see what their team owns or was given; others see everything their role reads. */
function visibleTo(principal: Principal, spec: McpServerPut): boolean {
  return principal.role !== "team-owner" || serverSharedWith(spec, principal.team!);
}

async function serverOr404(env: Env, id: string): Promise<ServerRow> {
  const row = await db(env).select().from(mcpServers).where(eq(mcpServers.id, id)).get();
  if (!row) throw new ProblemError(404, "Not Found", `No MCP server ${id}.`);
  return row;
}

/** A URL the agent plane may call, or a 422 naming why not. */
export function requireCallableUrl(env: Env, url: string, field: string): void {
  const verdict = checkUpstreamUrl(url, urlPolicyOf(env));
  if (!verdict.ok) throw new ProblemError(422, "URL Not Allowed", `${field} refused: ${verdict.reason}.`, [{ path: field, message: verdict.reason }]);
}

async function requireTeam(env: Env, team: string): Promise<void> {
  if (!(await db(env).select({ id: teams.id }).from(teams).where(eq(teams.id, team)).get())) {
    throw new ProblemError(422, "Unknown Team", `Team ${team} does not exist.`);
  }
}

export const serverRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "get", path: "/mcp-servers", tag: "mcp-servers", summary: "List upstream MCP servers (team owners: their own and those shared with them)", roles: ["auditor", "team-owner"],
    handler: async ({ env, principal }) => {
      const rows = await db(env).select().from(mcpServers).all();
      return { data: rows.filter((r) => visibleTo(principal, specOf(r))).map(serverView) };
    },
  }),
  adminRoute({
    method: "get", path: "/mcp-servers/:id", tag: "mcp-servers", summary: "Get an upstream MCP server", roles: ["auditor", "team-owner"],
    handler: async ({ env, params, principal }) => {
      const row = await serverOr404(env, serverId(params));
      // Not-found rather than forbidden: a team owner learns nothing about other teams' servers.
      if (!visibleTo(principal, specOf(row))) throw new ProblemError(404, "Not Found", `No MCP server ${row.id}.`);
      return serverView(row);
    },
  }),
  adminRoute({
    method: "put", path: "/mcp-servers/:id", tag: "mcp-servers", summary: "Register or replace an upstream MCP server (URL checked against AGENT_URL_ALLOWLIST)", roles: [], body: McpServerPut,
    handler: async ({ env, params, body, principal }) => {
      const id = serverId(params);
      requireCallableUrl(env, body.url, "url");
      if (body.team) await requireTeam(env, body.team);
      const row = { id, url: body.url, spec: JSON.stringify(body), updatedAt: nowIso() };
      await writeConfig(env, [db(env).insert(mcpServers).values(row).onConflictDoUpdate({ target: mcpServers.id, set: row })], {
        actor: principal.sub, action: "mcp_server.put", resource: `mcp-servers/${id}`, detail: body,
      });
      return { id, ...body, updated_at: row.updatedAt };
    },
  }),
  adminRoute({
    method: "delete", path: "/mcp-servers/:id", tag: "mcp-servers", summary: "Remove an upstream MCP server (grants on it then allow nothing)", roles: [], status: 204,
    handler: async ({ env, params, principal }) => {
      const id = serverId(params);
      await writeConfig(env, [db(env).delete(mcpServers).where(eq(mcpServers.id, id))], { actor: principal.sub, action: "mcp_server.delete", resource: `mcp-servers/${id}` });
      return null;
    },
  }),
  adminRoute({
    method: "post", path: "/mcp-servers/:id/consents", tag: "mcp-servers", summary: "Share a server with another team (its owner team's consent)", roles: ["team-owner"], body: ServerConsent,
    handler: async ({ env, params, body, principal }) => {
      const row = await serverOr404(env, serverId(params));
      const spec = specOf(row);
      if (!spec.team && principal.role !== "admin") throw new ProblemError(403, "Forbidden", `Server ${row.id} has no owner team; only an admin may share it.`);
      if (spec.team) requireTeamAccess(principal, spec.team);
      await requireTeam(env, body.team);
      const next = { ...spec, shared_with: [...new Set([...spec.shared_with, body.team])] };
      await writeConfig(env, [db(env).update(mcpServers).set({ spec: JSON.stringify(next), updatedAt: nowIso() }).where(eq(mcpServers.id, row.id))], {
        actor: principal.sub, action: "mcp_server.consent.grant", resource: `mcp-servers/${row.id}/consents/${body.team}`, detail: { team: body.team, note: body.note ?? null },
      });
      return { id: row.id, ...next };
    },
  }),
  adminRoute({
    method: "delete", path: "/mcp-servers/:id/consents/:team", tag: "mcp-servers", summary: "Withdraw a team's consent; its agents' grants on the server are removed", roles: ["team-owner"],
    handler: async ({ env, params, principal }) => {
      const row = await serverOr404(env, serverId(params));
      const team = serverId(params, "team");
      const spec = specOf(row);
      if (!spec.team && principal.role !== "admin") throw new ProblemError(403, "Forbidden", `Server ${row.id} has no owner team; only an admin may change its sharing.`);
      if (spec.team) requireTeamAccess(principal, spec.team);
      if (team === spec.team) throw new ProblemError(422, "Owner Team", `Team ${team} owns server ${row.id}; its access cannot be withdrawn.`);
      const next = { ...spec, shared_with: spec.shared_with.filter((t) => t !== team) };
      const d = db(env);
      const ts = nowIso();
      const writes: BatchItem<"sqlite">[] = [d.update(mcpServers).set({ spec: JSON.stringify(next), updatedAt: ts }).where(eq(mcpServers.id, row.id))];
      const stripped: string[] = [];
      // A wildcard share still admits the team; otherwise its grants on this server go now.
      if (!serverSharedWith(next, team)) {
        for (const agent of await d.select().from(agents).where(inArray(agents.team, [team])).all()) {
          const agentSpec = JSON.parse(agent.spec) as AgentPut;
          const grants = agentSpec.grants.filter((g) => g.server !== row.id);
          if (grants.length === agentSpec.grants.length) continue;
          stripped.push(agent.id);
          writes.push(d.update(agents).set({ spec: JSON.stringify({ ...agentSpec, grants }), policyVersion: agent.policyVersion + 1, updatedAt: ts }).where(eq(agents.id, agent.id)));
        }
      }
      await writeConfig(env, writes, {
        actor: principal.sub, action: "mcp_server.consent.withdraw", resource: `mcp-servers/${row.id}/consents/${team}`,
        detail: { team, grants_removed_from: stripped },
      });
      return { id: row.id, ...next, grants_removed_from: stripped };
    },
  }),
];
