/**
 * @module
 * The usage event: one per request (successes, failures and refusals alike), sent to the
 * `usage-events` queue and written idempotently by the consumer, keyed by the gateway's request id.
 */
import type { DataClass } from "../config/schemas";

export type CacheStatus = "hit" | "miss" | "bypass" | "off";

export interface UsageEvent {
  /** The gateway's own id (unique; the key everywhere). */
  request_id: string;
  /**
   * The client's `x-request-id`: correlation only, never unique. Restricted requests keep only
   * its hash (src/logging/emit.ts). Absent in events of earlier versions.
   */
  client_request_id?: string | null;
  /** ISO time the request arrived. */
  ts: string;
  team: string | null;
  workload: string | null;
  key_id: string | null;
  /** Catalog model id the client asked for. */
  model: string | null;
  /** Provider id that answered (or last tried). */
  provider: string | null;
  region: string;
  /**
   * The region whose edge received the request and forwarded it here (home-edge processing);
   * null when the client reached the home edge. Absent in events of earlier versions.
   */
  forwarded_from?: string | null;
  tokens_in: number;
  tokens_out: number;
  /** Integer nano-dollars. */
  cost_nusd: number;
  latency_ms: number;
  ttfb_ms: number | null;
  status: number;
  error_code: string | null;
  data_class: DataClass | null;
  cache: CacheStatus;
  /** True when token counts were estimated with the tokenizer (the upstream sent none). */
  estimated: boolean;
  /** Routing rule version and reason, e.g. "v3 fallback:primary-timeout". */
  route: string | null;
  /** Extra facts from pipeline stages (DLP finding types, attempts, drill flag...). No content. */
  detail?: Record<string, unknown>;
}
