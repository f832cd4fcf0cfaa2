/**
 * @module
 * The bindings every entry point receives. Declared once here so `src/`, `workers/` and
 * `durable-objects/` agree on names; wrangler.toml is the source of the bindings themselves.
 */
import type { TeamBudget } from "../durable-objects/team-budget";
import type { Delegation } from "../durable-objects/delegation";
import type { ProviderHealth } from "../durable-objects/provider-health";
import type { UsageQueueBody } from "./usage/messages";

export interface Env {
  /** This zone's D1: per-request data (usage, request logs, agent calls, alerts). */
  DB: D1Database;
  /** The global control-plane D1, shared by every region (src/config/control-db.ts); unset = DB. */
  CONTROL_DB?: D1Database;
  BLOBS: R2Bucket;
  TEAM_BUDGET: DurableObjectNamespace<TeamBudget>;
  DELEGATION: DurableObjectNamespace<Delegation>;
  PROVIDER_HEALTH: DurableObjectNamespace<ProviderHealth>;
  /** Packed request messages as JSON text (src/usage/messages.ts). */
  USAGE_EVENTS: Queue<UsageQueueBody>;
  EVAL_JOBS: Queue<unknown>;
  EMAIL?: SendEmail;
  /** Workers AI; bound only in deployed regions (it needs an account). */
  AI?: Ai;
  /** Semantic-cache Vectorize index (src/cache/semantic.ts); bound only in deployed regions. */
  SEMANTIC_CACHE?: Pick<Vectorize, "query" | "upsert" | "deleteByIds">;
  REGION: string;
  VERSION: string;
  /** JSON object zone -> base URL of that zone's edge, for residency forwarding. */
  REGION_EDGES?: string;
  /** Shared by every region: HMAC key of signed forwards between edges (src/routing/forward-signature.ts). */
  FORWARD_SIGNING_KEY?: string;
  /** HS256 secret for admin JWTs (development); production sets ADMIN_JWKS_URL instead. */
  ADMIN_JWT_SECRET?: string;
  ADMIN_JWKS_URL?: string;
  /** Base64 of 32 bytes: AES-GCM key that encrypts provider secrets at rest. */
  SECRETS_KEY?: string;
  /** Maximum request body in bytes (default 4 MiB). */
  MAX_BODY_BYTES?: string;
  /** Seconds between config-version checks per isolate (default 2). */
  CONFIG_CHECK_SECONDS?: string;
  /** Milliseconds between provider-health syncs with the ProviderHealth DO per isolate (default 1000). */
  HEALTH_SYNC_MS?: string;
  /** Overrides the circuit breakers' open → half-open cooldown (ms). */
  BREAKER_COOLDOWN_MS?: string;
  /** Where alerts are POSTed (JSON). */
  ALERT_WEBHOOK_URL?: string;
  /** Addresses for reports and alerts. */
  FINANCE_EMAIL?: string;
  ALERT_EMAIL?: string;
  ALERT_FROM_EMAIL?: string;
  /** Receives the monthly compliance report with finance. */
  REVIEW_BOARD_EMAIL?: string;
  /** "1" only in tests: serves the mock MCP/A2A upstreams at /__mock/* (see src/agents/upstream.ts). */
  ENABLE_MOCKS?: string;
  /** Hosts the agent plane may call (A2A callees, MCP servers): `host`, `*.domain` or `*`; unset = none. */
  AGENT_URL_ALLOWLIST?: string;
  /** Largest upstream answer (A2A, MCP) the agent plane reads, in bytes (default 4 MiB). */
  AGENT_UPSTREAM_MAX_BYTES?: string;
  /** OpenTelemetry export (src/telemetry/export.ts): collector base URL; unset = off. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  /** Per-signal endpoints, used as given (override the base URL's `/v1/traces`, `/v1/metrics`). */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT?: string;
  /** `key=value,key2=value2` headers for the collector (e.g. its auth), values URL-encoded. */
  OTEL_EXPORTER_OTLP_HEADERS?: string;
  /** `service.name` of the exported resource (default "switchyard"). */
  OTEL_SERVICE_NAME?: string;
}
