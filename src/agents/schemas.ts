/**
 * @module
 * zod schemas for everything the agent plane accepts from outside: admin bodies (agents, MCP
 * servers, tokens, reviews) and the claims inside agent tokens. Parsed once at the edge; inside,
 * types are trusted.
 */
import { z } from "zod";

export const AgentId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "lowercase letters, digits, '.', '_' and '-', starting with a letter or digit");

/** Hard ceiling on delegation depth (levels of `act` nesting); agents may only lower it. */
export const MAX_DELEGATION_DEPTH = 5;

export const Grant = z.object({
  server: AgentId,
  /** A tool name exactly as the upstream lists it, or "*" for every tool of the server. */
  tool: z.string().min(1).max(128),
  /** CEL over `args` (the call's arguments as forwarded); must evaluate to true to allow. */
  when: z.string().min(1).max(4000).optional(),
});
export type Grant = z.infer<typeof Grant>;

/** Private-key members of a JWK; a registered key carrying any of them is refused. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"] as const;

export const PublicJwk = z
  .object({
    kty: z.enum(["EC", "OKP", "RSA"]),
    crv: z.string().max(16).optional(),
    x: z.string().max(2048).optional(),
    y: z.string().max(2048).optional(),
    n: z.string().max(4096).optional(),
    e: z.string().max(16).optional(),
    alg: z.string().max(16).optional(),
    kid: z.string().max(128).optional(),
  })
  .passthrough()
  .superRefine((jwk, ctx) => {
    for (const m of PRIVATE_MEMBERS) {
      if (m in jwk) ctx.addIssue({ code: "custom", path: [m], message: "public_jwk must not contain private key material" });
    }
  });
export type PublicJwk = z.infer<typeof PublicJwk>;

/** A callee's consent to be delegated to by another team's agents (all of them, or one). */
export const DelegationConsent = z.object({ team: AgentId, agent: AgentId.optional() }).strict();
export type DelegationConsent = z.infer<typeof DelegationConsent>;

export const AgentPut = z.object({
  team: AgentId,
  purpose: z.string().min(1).max(1000),
  public_jwk: PublicJwk,
  grants: z.array(Grant).max(200).default([]),
  may_delegate_to: z.array(AgentId).max(100).default([]),
  max_delegation_depth: z.number().int().min(0).max(MAX_DELEGATION_DEPTH).optional(),
  /**
   * Other teams whose agents may delegate to this one. Delegation inside a team needs no consent;
   * across teams it needs an entry here, written by this agent's team (checked on every call).
   */
  accepts_delegation_from: z.array(DelegationConsent).max(100).default([]),
  /** Where the agent accepts A2A calls (JSON-RPC over HTTP); absent = not callable via /a2a. */
  a2a_url: z.string().url().max(2048).optional(),
  /** Skills advertised in its A2A agent card. */
  skills: z.array(z.object({ id: z.string().min(1).max(64), name: z.string().min(1).max(128), description: z.string().max(1000).default("") })).max(50).default([]),
});
export type AgentPut = z.infer<typeof AgentPut>;

export const McpServerPut = z.object({
  /** Checked against the URL policy (src/agents/url-guard.ts) when written and on every call. */
  url: z.string().url().max(2048),
  /** The team that owns the server; its owner decides which other teams may be granted tools. */
  team: AgentId.optional(),
  /** Teams (besides the owner) whose agents may be granted tools on it; "*" = every team. */
  shared_with: z.array(z.union([AgentId, z.literal("*")])).max(200).default([]),
  description: z.string().max(1000).optional(),
  /** The most sensitive data class the server's tools touch; baselines watch for new classes. */
  data_class: z.enum(["public", "internal", "restricted"]).optional(),
});
export type McpServerPut = z.infer<typeof McpServerPut>;

export const TokenCreate = z.object({
  /** Lifetime in seconds; short by design (default 300, at most one hour). */
  ttl_s: z.number().int().min(30).max(3600).default(300),
});

/** The nested RFC 8693 `act` claim: the current actor outermost, prior actors inside. */
export interface ActClaim {
  sub: string;
  act?: ActClaim;
}
export const ActClaim: z.ZodType<ActClaim> = z.lazy(() => z.object({ sub: AgentId, act: ActClaim.optional() }));

export const AgentTokenClaims = z.object({
  sub: AgentId,
  act: ActClaim.optional(),
  cnf: z.object({ jkt: z.string().min(20).max(128) }),
  txn: z.string().min(1).max(128),
  jti: z.string().min(1).max(128),
  exp: z.number(),
  iat: z.number(),
});
export type AgentTokenClaims = z.infer<typeof AgentTokenClaims>;

export const ReviewDecision = z.object({
  decision: z.enum(["approve", "revoke"]),
  note: z.string().max(2000).optional(),
});

export const DiscoveryRegister = z.object({
  /** The registered agent this traffic belongs to (register it with PUT /agents/{id} first). */
  agent_id: AgentId,
  note: z.string().max(2000).optional(),
});

export const DiscoveryTerminate = z.object({ note: z.string().max(2000).optional() });

export const ServerConsent = z.object({ team: AgentId, note: z.string().max(2000).optional() }).strict();
