/**
 * @module
 * Admin resources of the agent plane: the agent registry (with CEL rules checked at write time),
 * agent tokens and end-to-end delegation traces. Trust boundaries enforced here: an agent id
 * belongs to the team that first registered it, forever (tombstoned on delete); grants on another
 * team's MCP server need that team's consent (or an admin); delegation to another team's agent
 * needs the callee's consent; `a2a_url` must pass the URL policy. MCP servers
 * (src/agents/server-routes.ts) and discoveries, baselines and access reviews
 * (src/agents/governance-routes.ts) are re-exported here, so src/admin/index.ts needs one entry.
 */
import { calculateJwkThumbprint, importJWK, type JWK } from "jose";
import { z } from "zod";
import { configDb } from "../../config/control-db";
import { audit, db, eq, nowIso, writeConfig } from "../../config/store";
import { agentIds, agents, mcpServers } from "../../db/agents-schema";
import { teams } from "../../db/schema";
import { ProblemError } from "../../errors/problem";
import { compilePolicy, PolicyCompileError } from "../../agents/policy";
import { AgentId, AgentPut, McpServerPut, TokenCreate } from "../../agents/schemas";
import { issueAgentToken } from "../../agents/tokens";
import { acceptsDelegation, grantRefusal } from "../../agents/consent";
import { governanceRoutes } from "../../agents/governance-routes";
import { requireCallableUrl, serverRoutes } from "../../agents/server-routes";
import { requireTeamAccess, type Principal } from "../auth";
import { mergeAgentCalls, mergeDelegation } from "../region-merge";
import { adminRoute, type AdminRoute } from "../router";
import type { Env } from "../../env";

function idParam(params: Record<string, string>, name = "id"): string {
  const parsed = AgentId.safeParse(params[name]);
  if (!parsed.success) throw new ProblemError(400, "Invalid Id", `"${String(params[name]).slice(0, 80)}": ${parsed.error.issues[0].message}`);
  return parsed.data;
}

type AgentRow = typeof agents.$inferSelect;

function agentView(row: AgentRow) {
  return { id: row.id, ...(JSON.parse(row.spec) as AgentPut), jkt: row.jkt, policy_version: row.policyVersion, created_at: row.createdAt, updated_at: row.updatedAt };
}

async function agentOr404(env: Env, id: string, principal?: Principal): Promise<AgentRow> {
  const row = await db(env).select().from(agents).where(eq(agents.id, id)).get();
  if (!row) throw new ProblemError(404, "Not Found", `No agent ${id}.`);
  if (principal) requireTeamAccess(principal, row.team);
  return row;
}

async function thumbprint(jwk: AgentPut["public_jwk"]): Promise<string> {
  try {
    await importJWK(jwk as JWK, jwk.alg ?? (jwk.kty === "OKP" ? "EdDSA" : jwk.kty === "EC" ? "ES256" : "RS256"));
    return await calculateJwkThumbprint(jwk as JWK, "sha256");
  } catch (err) {
    throw new ProblemError(422, "Invalid Public Key", `public_jwk is not a usable public key: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Delegation to another team's agent needs that agent's consent. Unknown targets pass here (an
 * agent may be planned) and are checked on every call instead (src/agents/chain.ts).
 */
async function requireDelegationConsent(env: Env, agentId: string, body: AgentPut): Promise<void> {
  if (!body.may_delegate_to.length) return;
  const { results } = await configDb(env).prepare(`SELECT id, team, spec FROM agents WHERE id IN (${body.may_delegate_to.map(() => "?").join(",")})`)
    .bind(...body.may_delegate_to).all<{ id: string; team: string; spec: string }>();
  for (const callee of results) {
    if (callee.team === body.team) continue;
    const consents = (JSON.parse(callee.spec) as Partial<AgentPut>).accepts_delegation_from;
    if (!acceptsDelegation(consents, { id: agentId, team: body.team })) {
      throw new ProblemError(403, "Consent Required", `Agent ${callee.id} belongs to team ${callee.team}, which has not consented to delegation from ${agentId} (team ${body.team}): ` +
        `its owner adds {"team":"${body.team}"} to ${callee.id}'s accepts_delegation_from.`, [{ path: "may_delegate_to", message: `${callee.id} has not consented` }]);
    }
  }
}

export const agentRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "get", path: "/agents", tag: "agents", summary: "List registered agents", roles: ["auditor", "team-owner"],
    handler: async ({ env, principal, query }) => {
      const team = principal.role === "team-owner" ? principal.team! : query.get("team");
      const q = db(env).select().from(agents);
      const rows = team ? await q.where(eq(agents.team, team)).all() : await q.all();
      return { data: rows.map(agentView) };
    },
  }),
  adminRoute({
    method: "get", path: "/agents/:id", tag: "agents", summary: "Get an agent", roles: ["auditor", "team-owner"],
    handler: async ({ env, params, principal }) => agentView(await agentOr404(env, idParam(params), principal)),
  }),
  adminRoute({
    method: "put", path: "/agents/:id", tag: "agents", summary: "Register or replace an agent (grants are CEL-checked here)", roles: ["team-owner"], body: AgentPut,
    handler: async ({ env, params, body, principal }) => {
      const agentId = idParam(params);
      requireTeamAccess(principal, body.team);
      const d = db(env);
      const [existing, reserved] = await Promise.all([
        d.select().from(agents).where(eq(agents.id, agentId)).get(),
        d.select().from(agentIds).where(eq(agentIds.id, agentId)).get(),
      ]);
      if (existing) requireTeamAccess(principal, existing.team);
      // An id belongs to the team that first registered it, even after deletion (tombstone).
      const owner = reserved?.team ?? existing?.team;
      if (owner && owner !== body.team) throw new ProblemError(409, "Agent Id Taken", `Agent id ${agentId} belongs to team ${owner}${reserved?.deletedAt ? ` (deleted ${reserved.deletedAt}; ids are never reused by another team)` : ""}.`);
      if (!(await d.select({ id: teams.id }).from(teams).where(eq(teams.id, body.team)).get())) throw new ProblemError(422, "Unknown Team", `Team ${body.team} does not exist; create it first.`);
      if (body.may_delegate_to.includes(agentId)) throw new ProblemError(422, "Invalid Delegation", "An agent may not delegate to itself.");
      if (body.a2a_url) requireCallableUrl(env, body.a2a_url, "a2a_url");
      const servers = new Map((await d.select().from(mcpServers).all()).map((s) => [s.id, McpServerPut.parse(JSON.parse(s.spec))]));
      const unknown = body.grants.find((g) => !servers.has(g.server));
      if (unknown) throw new ProblemError(422, "Unknown MCP Server", `Grant names server ${unknown.server}; register it with PUT /mcp-servers/${unknown.server} first.`);
      const held = existing ? (JSON.parse(existing.spec) as AgentPut).grants : [];
      const refused = grantRefusal({ team: body.team, grants: body.grants, held, servers, isAdmin: principal.role === "admin" });
      if (refused) throw new ProblemError(403, "Consent Required", refused.message, [{ path: `grants.${refused.index}.server`, message: refused.message }]);
      await requireDelegationConsent(env, agentId, body);
      const version = (existing?.policyVersion ?? 0) + 1;
      try {
        compilePolicy(agentId, version, body.grants);
      } catch (err) {
        if (err instanceof PolicyCompileError) throw new ProblemError(422, "Invalid Grant Rule", err.message, [{ path: `grants.${err.index}.when`, message: err.message }]);
        throw err;
      }
      const ts = nowIso();
      const row = { id: agentId, team: body.team, spec: JSON.stringify(body), jkt: await thumbprint(body.public_jwk), policyVersion: version, createdAt: existing?.createdAt ?? ts, updatedAt: ts };
      // A plain INSERT for a new id: two teams racing for it cannot both win (the batch is atomic).
      const reserve = reserved
        ? d.update(agentIds).set({ deletedAt: null }).where(eq(agentIds.id, agentId))
        : d.insert(agentIds).values({ id: agentId, team: body.team, reservedAt: ts });
      try {
        await writeConfig(env, [reserve, d.insert(agents).values(row).onConflictDoUpdate({ target: agents.id, set: row })], {
          actor: principal.sub, action: "agent.put", resource: `agents/${agentId}`, detail: { ...body, policy_version: version },
        });
      } catch (err) {
        if (!reserved && /UNIQUE|constraint/i.test(String(err))) throw new ProblemError(409, "Agent Id Taken", `Agent id ${agentId} was just registered by another request.`);
        throw err;
      }
      return agentView(row);
    },
  }),
  adminRoute({
    method: "delete", path: "/agents/:id", tag: "agents", summary: "Deregister an agent (its tokens stop working within seconds)", roles: ["team-owner"], status: 204,
    handler: async ({ env, params, principal }) => {
      const row = await agentOr404(env, idParam(params), principal);
      const d = db(env);
      const tombstone = d.insert(agentIds).values({ id: row.id, team: row.team, reservedAt: row.createdAt, deletedAt: nowIso() })
        .onConflictDoUpdate({ target: agentIds.id, set: { deletedAt: nowIso() } });
      await writeConfig(env, [d.delete(agents).where(eq(agents.id, row.id)), tombstone], { actor: principal.sub, action: "agent.delete", resource: `agents/${row.id}` });
      return null;
    },
  }),
  adminRoute({
    method: "post", path: "/agents/:id/tokens", tag: "agents", summary: "Issue a short-lived DPoP-bound agent token", roles: ["team-owner"], body: TokenCreate, status: 201,
    handler: async ({ env, params, body, principal }) => {
      const row = await agentOr404(env, idParam(params), principal);
      const txn = `trc_${crypto.randomUUID()}`;
      const issued = await issueAgentToken(env, { chain: [row.id], jkt: row.jkt, txn, ttlSeconds: body.ttl_s });
      await env.DELEGATION.get(env.DELEGATION.idFromName(`trace:${txn}`)).record({ ts: nowIso(), kind: "issued", chain: [row.id], depth: 0, jti: issued.jti, exp: issued.exp, detail: { by: principal.sub } });
      await audit(env, { actor: principal.sub, action: "agent.token.issue", resource: `agents/${row.id}`, detail: { jti: issued.jti, txn, exp: issued.exp } });
      return { access_token: issued.token, token_type: "DPoP", expires_in: body.ttl_s, txn, jkt: row.jkt };
    },
  }),
  adminRoute({
    method: "get", path: "/agents/:id/calls", tag: "agents", summary: "Recent tool calls of an agent (argument shapes only)", roles: ["auditor", "team-owner"],
    // Recorded in the zone that served each call (the agent's home zone): gathered from all.
    spansRegions: { merge: mergeAgentCalls, partsMayBeMissing: true },
    handler: async ({ env, params, principal, query }) => {
      const row = await agentOr404(env, idParam(params), principal);
      const limit = z.coerce.number().int().min(1).max(500).catch(100).parse(query.get("limit") ?? 100);
      const { results } = await env.DB.prepare("SELECT ts, server, tool, decision, rule, arg_shape, trace, chain FROM agent_calls WHERE agent = ? ORDER BY id DESC LIMIT ?").bind(row.id, limit).all<Record<string, string>>();
      return { data: results.map((r) => ({ ...r, arg_shape: JSON.parse(r.arg_shape ?? "null"), chain: JSON.parse(r.chain ?? "[]") })) };
    },
  }),
  adminRoute({
    method: "get", path: "/delegations/:trace", tag: "delegations", summary: "A delegation chain end to end: issuance, exchanges, A2A hops and tool calls", roles: ["auditor"],
    // Each step is written where it was processed; a region without any part answers 404.
    spansRegions: { merge: mergeDelegation, partsMayBeMissing: true },
    handler: async ({ env, params }) => {
      const trace = String(params.trace);
      if (!/^trc_[0-9a-f-]{36}$/.test(trace)) throw new ProblemError(400, "Invalid Id", "A trace id looks like trc_<uuid>.");
      const events = await env.DELEGATION.get(env.DELEGATION.idFromName(`trace:${trace}`)).events();
      const { results } = await env.DB.prepare("SELECT ts, agent, server, tool, decision, rule, chain FROM agent_calls WHERE trace = ? ORDER BY id").bind(trace).all<Record<string, string>>();
      // A zone may hold only the tool calls of a chain whose events were written elsewhere.
      if (!events.length && !results.length) throw new ProblemError(404, "Not Found", `No delegation trace ${trace}.`);
      const longest = events.reduce((a, e) => (e.chain.length > a.length ? e.chain : a), [] as string[]);
      return { trace, chain: longest, depth: Math.max(0, longest.length - 1), events, calls: results.map((r) => ({ ...r, chain: JSON.parse(r.chain ?? "[]") })) };
    },
  }),
  ...serverRoutes,
  ...governanceRoutes,
];
