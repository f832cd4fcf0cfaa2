/**
 * @module
 * Who may widen an agent into another team, as pure decisions over plain data:
 * - a grant on an MCP server needs the server's owning team to be the agent's team, or the agent's
 *   team in the server's `shared_with` (consent the owner team gives with
 *   POST /mcp-servers/{id}/consents), unless an admin writes it. A server without an owner team is
 *   org-managed: team owners need it shared with them too. Grants the agent already holds stay
 *   (they were authorized when written; withdrawing consent removes them).
 * - delegation across teams needs the callee's consent: an `accepts_delegation_from` entry naming
 *   the caller's team (and, optionally, the caller). Checked at registration for a clear error and
 *   on every call (chain.ts), so withdrawing consent takes effect at once.
 */
import { sameGrant } from "./reviews";
import type { DelegationConsent, Grant } from "./schemas";

export interface ServerOwnership {
  team?: string;
  shared_with: readonly string[];
}

/** Whether agents of `team` may be granted tools on a server. */
export function serverSharedWith(server: ServerOwnership, team: string): boolean {
  return server.team === team || server.shared_with.includes(team) || server.shared_with.includes("*");
}

/**
 * The first grant a team owner may not write, with why; null when every grant is allowed.
 * @example grantRefusal({ team: "a", grants, held: [], servers, isAdmin: false })
 */
export function grantRefusal(input: {
  team: string;
  grants: readonly Grant[];
  held: readonly Grant[];
  servers: ReadonlyMap<string, ServerOwnership>;
  isAdmin: boolean;
}): { index: number; message: string } | null {
  if (input.isAdmin) return null;
  for (const [index, g] of input.grants.entries()) {
    if (input.held.some((h) => sameGrant(h, g))) continue;
    const server = input.servers.get(g.server);
    if (!server || serverSharedWith(server, input.team)) continue;
    const owner = server.team ? `team ${server.team}` : "the organisation (no owner team)";
    return {
      index,
      message: `Server ${g.server} belongs to ${owner} and is not shared with team ${input.team}: its owner must consent ` +
        `(POST /mcp-servers/${g.server}/consents {"team":"${input.team}"}) or an admin must write this grant.`,
    };
  }
  return null;
}

/** Whether a callee's consents admit a caller of another team. */
export function acceptsDelegation(consents: readonly DelegationConsent[] | undefined, caller: { id: string; team: string }): boolean {
  return (consents ?? []).some((c) => c.team === caller.team && (c.agent === undefined || c.agent === caller.id));
}
