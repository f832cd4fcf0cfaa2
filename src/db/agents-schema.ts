/**
 * @module
 * D1 tables of the agent plane (drizzle). Kept apart from src/db/schema.ts so the agent capability
 * owns its own migration (d1-migrations/0002_agents.sql, written to match this file exactly).
 * Registry objects keep their validated JSON `spec` beside the columns queries filter on, as the
 * rest of the control plane does.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Registered agents. `policy_version` grows on every change so compiled CEL is keyed by it. */
export const agents = sqliteTable(
  "agents",
  {
    id: text("id").primaryKey(),
    team: text("team").notNull(),
    /** AgentPut as validated (grants, may_delegate_to, public_jwk...). */
    spec: text("spec").notNull(),
    /** RFC 7638 thumbprint of the registered public key; tokens carry it as `cnf.jkt`. */
    jkt: text("jkt").notNull(),
    policyVersion: integer("policy_version").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("agents_team").on(t.team)],
);

/** Upstream MCP servers agents may reach through /mcp/{id}. */
export const mcpServers = sqliteTable("mcp_servers", {
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  spec: text("spec").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/**
 * One row per tool call seen by the proxy, allowed or denied. Arguments are stored only as their
 * shape (keys and types), never values. Baselines, last-use in access reviews and end-to-end
 * delegation traces read it.
 */
export const agentCalls = sqliteTable(
  "agent_calls",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ts: text("ts").notNull(),
    agent: text("agent").notNull(),
    server: text("server").notNull(),
    tool: text("tool").notNull(),
    decision: text("decision").notNull(),
    rule: text("rule"),
    argShape: text("arg_shape"),
    trace: text("trace"),
    /** JSON array: the delegation chain, originator first. */
    chain: text("chain"),
  },
  (t) => [index("agent_calls_agent_ts").on(t.agent, t.ts), index("agent_calls_trace").on(t.trace)],
);

/** Shadow agents found by the discovery cron: open until registered or terminated. */
export const agentDiscoveries = sqliteTable(
  "agent_discoveries",
  {
    id: text("id").primaryKey(),
    /** Stable identity of what was seen (key id / agent header / user agent); one open row per value. */
    fingerprint: text("fingerprint").notNull(),
    status: text("status").notNull(),
    firstSeen: text("first_seen").notNull(),
    lastSeen: text("last_seen").notNull(),
    /** JSON: key ids, agent header values, user agents involved. */
    subject: text("subject").notNull(),
    /** JSON: signals and the numbers behind them. */
    evidence: text("evidence").notNull(),
    resolvedAt: text("resolved_at"),
    resolvedBy: text("resolved_by"),
    resolution: text("resolution"),
  },
  (t) => [index("agent_discoveries_fingerprint").on(t.fingerprint), index("agent_discoveries_status").on(t.status)],
);

/** The current behavioural profile of each agent (JSON), refreshed by the daily cron. */
export const agentBaselines = sqliteTable("agent_baselines", {
  agent: text("agent").primaryKey(),
  profile: text("profile").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/** Quarterly access-review campaigns. */
export const accessReviews = sqliteTable("access_reviews", {
  id: text("id").primaryKey(),
  /** e.g. "2026-Q3": one campaign per quarter. */
  period: text("period").notNull().unique(),
  status: text("status").notNull(),
  openedAt: text("opened_at").notNull(),
  dueAt: text("due_at").notNull(),
  closedAt: text("closed_at"),
  escalatedAt: text("escalated_at"),
});

/** One grant of one agent under review, with its last use and the reviewer's decision. */
export const accessReviewItems = sqliteTable(
  "access_review_items",
  {
    id: text("id").primaryKey(),
    reviewId: text("review_id").notNull(),
    agent: text("agent").notNull(),
    /** JSON of the grant as it stood when the campaign opened. */
    grantSpec: text("grant_spec").notNull(),
    lastUsed: text("last_used"),
    unused90d: integer("unused_90d").notNull(),
    decision: text("decision"),
    reviewer: text("reviewer"),
    note: text("note"),
    decidedAt: text("decided_at"),
  },
  (t) => [index("access_review_items_review").on(t.reviewId)],
);

/**
 * Agent ids, reserved for the team that first registered them (d1-migrations/0009). A row outlives
 * its agent: `deleted_at` tombstones it, so the id can come back only for the same team.
 */
export const agentIds = sqliteTable("agent_ids", {
  id: text("id").primaryKey(),
  team: text("team").notNull(),
  reservedAt: text("reserved_at").notNull(),
  deletedAt: text("deleted_at"),
});

/**
 * The gateway's agent-token signing key, one for every region (control plane): a token issued by
 * any edge verifies on the agent's home edge. The private half is sealed with SECRETS_KEY.
 */
export const gatewayKeys = sqliteTable("gateway_keys", {
  id: text("id").primaryKey(),
  kid: text("kid").notNull(),
  publicJwk: text("public_jwk").notNull(),
  sealedPrivateJwk: text("sealed_private_jwk").notNull(),
  createdAt: text("created_at").notNull(),
});
