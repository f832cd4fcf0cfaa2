/**
 * @module
 * Delegation chains as plain data. A token's chain is its subject followed by every actor, oldest
 * first: `sub=A, act={sub:C, act={sub:B}}` is A → B → C. Depth is the number of `act` levels.
 * A chain is valid when every hop is a registered agent, each agent may delegate to the next,
 * no agent appears twice (a cycle), the depth is within the smallest limit any member sets, and a
 * hop into another team is one the callee consented to (`accepts_delegation_from`).
 */
import { acceptsDelegation } from "./consent";
import { MAX_DELEGATION_DEPTH, type ActClaim, type DelegationConsent } from "./schemas";

/** What chain validation needs to know of each registered agent. */
export interface DelegationRules {
  may_delegate_to: readonly string[];
  max_delegation_depth?: number;
  /** The agent's team; a hop between two agents of different teams needs the callee's consent. */
  team?: string;
  accepts_delegation_from?: readonly DelegationConsent[];
}

/**
 * Flattens `sub` + nested `act` into the chain, originator first.
 * @example chainOf("a", { sub: "c", act: { sub: "b" } }) // ["a", "b", "c"]
 */
export function chainOf(sub: string, act: ActClaim | undefined): string[] {
  const actors: string[] = [];
  // Bounded walk: a forged token can nest deeper than any limit; stop well past it.
  for (let a = act, n = 0; a && n <= MAX_DELEGATION_DEPTH * 4; a = a.act, n++) actors.push(a.sub);
  return [sub, ...actors.reverse()];
}

/**
 * Builds the nested `act` claim for a chain (inverse of {@link chainOf}); undefined for one agent.
 * @example actOf(["a", "b", "c"]) // { sub: "c", act: { sub: "b" } }
 */
export function actOf(chain: readonly string[]): ActClaim | undefined {
  let act: ActClaim | undefined;
  for (const sub of chain.slice(1)) act = act ? { sub, act } : { sub };
  return act;
}

export type ChainVerdict =
  | { ok: true; depth: number }
  | { ok: false; reason: "unregistered" | "cycle" | "depth_exceeded" | "not_authorized"; message: string };

/**
 * Validates a chain against the registry.
 * @example validateChain(["a", "b"], (id) => rules[id]) // { ok: true, depth: 1 }
 */
export function validateChain(chain: readonly string[], rulesOf: (agent: string) => DelegationRules | undefined, globalLimit = MAX_DELEGATION_DEPTH): ChainVerdict {
  const depth = chain.length - 1;
  const seen = new Set<string>();
  for (const agent of chain) {
    if (seen.has(agent)) return { ok: false, reason: "cycle", message: `Delegation cycle: ${agent} appears twice in ${chain.join(" → ")}.` };
    seen.add(agent);
  }
  let limit = Math.min(globalLimit, MAX_DELEGATION_DEPTH);
  for (const agent of chain) {
    const rules = rulesOf(agent);
    if (!rules) return { ok: false, reason: "unregistered", message: `Agent ${agent} in the chain is not registered.` };
    if (rules.max_delegation_depth !== undefined) limit = Math.min(limit, rules.max_delegation_depth);
  }
  if (depth > limit) return { ok: false, reason: "depth_exceeded", message: `Delegation depth ${depth} exceeds the limit of ${limit} for ${chain.join(" → ")}.` };
  for (let i = 0; i + 1 < chain.length; i++) {
    const from = rulesOf(chain[i])!;
    if (!from.may_delegate_to.includes(chain[i + 1])) {
      return { ok: false, reason: "not_authorized", message: `Agent ${chain[i]} may not delegate to ${chain[i + 1]}.` };
    }
    const to = rulesOf(chain[i + 1])!;
    if (from.team !== to.team && !acceptsDelegation(to.accepts_delegation_from, { id: chain[i], team: from.team ?? "" })) {
      return { ok: false, reason: "not_authorized", message: `Agent ${chain[i + 1]} (team ${to.team}) has not consented to delegation from ${chain[i]} (team ${from.team}).` };
    }
  }
  return { ok: true, depth };
}
