/**
 * @module
 * Zod schemas for every control-plane object. The admin API validates requests with these,
 * the OpenAPI document is generated from them, and the policy-bundle compiler re-parses stored
 * rows with them, so one definition serves all three.
 */
import { z } from "zod";
import { DlpPolicyConfig } from "../dlp/policy";
import { WorkloadEvalSettings } from "../workloads/settings";

export const Zone = z.enum(["us", "eu", "apac"]);
export type Zone = z.infer<typeof Zone>;

export const DataClass = z.enum(["public", "internal", "restricted"]);
export type DataClass = z.infer<typeof DataClass>;

/** Ordered from least to most sensitive: a request's class is the maximum of its sources. */
export const DATA_CLASS_RANK: Record<DataClass, number> = { public: 0, internal: 1, restricted: 2 };

export const ProviderType = z.enum([
  "openai-compatible",
  "openai",
  "anthropic",
  "gemini",
  "azure-openai",
  "workers-ai",
  "simulated",
]);
export type ProviderType = z.infer<typeof ProviderType>;

const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "lowercase letters, digits, '.', '_' and '-', starting with a letter or digit");
export const ResourceId = Id;

export const FaultMode = z.enum(["none", "outage", "errors", "latency"]);
export const Faults = z
  .object({
    mode: FaultMode,
    error_rate: z.number().min(0).max(1).optional(),
    latency_ms: z.number().int().min(0).max(120_000).optional(),
    /** Only requests marked as failover drills see this fault (production traffic is untouched). */
    drill_only: z.boolean().optional(),
    /** Streams break off (connection reset) after this many chunks: mid-stream disconnect chaos. */
    disconnect_after_chunks: z.number().int().min(0).max(10_000).optional(),
  })
  .strict();
export type Faults = z.infer<typeof Faults>;

export const ProviderPut = z
  .object({
    type: ProviderType,
    base_url: z.url().optional(),
    region: Zone,
    api_key: z.string().min(1).max(4096).optional(),
    /** Provider-specific settings, e.g. azure `api_version`, anthropic `version`. */
    options: z.record(z.string(), z.string().max(512)).optional(),
  })
  .strict();
export type ProviderPut = z.infer<typeof ProviderPut>;

export const Capabilities = z
  .object({
    context_window: z.number().int().positive().optional(),
    tools: z.boolean().optional(),
    vision: z.boolean().optional(),
    json_mode: z.boolean().optional(),
    streaming: z.boolean().optional(),
  })
  .strict();
export type Capabilities = z.infer<typeof Capabilities>;

export const Price = z
  .object({
    input_per_mtok: z.number().min(0).max(100_000),
    output_per_mtok: z.number().min(0).max(100_000),
  })
  .strict();
export type Price = z.infer<typeof Price>;

/** How the router orders the targets of one tier (see src/routing/score.ts). */
export const RoutingStrategy = z.enum(["ordered", "weighted", "lowest_cost", "lowest_latency", "score"]);
export type RoutingStrategy = z.infer<typeof RoutingStrategy>;

/** Relative weights of the signals of the `score` strategy (0 ignores a signal). */
export const SignalWeights = z
  .object({
    cost: z.number().min(0).max(100),
    latency: z.number().min(0).max(100),
    ttfb: z.number().min(0).max(100),
    availability: z.number().min(0).max(100),
    preference: z.number().min(0).max(100),
  })
  .partial()
  .strict();
export type SignalWeights = z.infer<typeof SignalWeights>;

export const Target = z
  .object({
    provider: Id,
    model: z.string().min(1).max(256),
    weight: z.number().min(0).max(1000).optional(),
    /** Whole attempt: to the end of a JSON answer, to the first chunk of a stream (default 30 s). */
    timeout_ms: z.number().int().min(1).max(600_000).optional(),
    /** Wait for the first byte (a stream's first chunk); default derived from observed TTFB (src/routing/deadline.ts). */
    ttfb_timeout_ms: z.number().int().min(1).max(600_000).optional(),
    /** Longest gap between upstream bytes once a stream started (default 30 s). */
    idle_timeout_ms: z.number().int().min(100).max(600_000).optional(),
    capabilities: Capabilities.optional(),
    /** Per-target price override (a provider that charges differently for the same model). */
    price: Price.optional(),
    /** Fallback tier: tier 0 is tried first, then tier 1...; the strategy orders within a tier. */
    tier: z.number().int().min(0).max(9).optional(),
  })
  .strict();
export type Target = z.infer<typeof Target>;

export const ModelPut = z
  .object({
    kind: z.enum(["chat", "embeddings"]).default("chat"),
    targets: z.array(Target).min(1).max(32),
    data_classes: z.array(DataClass).min(1),
    price: Price,
    capabilities: Capabilities.optional(),
    /** The model's default routing; team and workload routing rules override it. */
    routing: z
      .object({
        strategy: RoutingStrategy.optional(),
        weights: SignalWeights.optional(),
        /** Start the next target when the first is slower than its p95 TTFB (rules may override). */
        hedge: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ModelPut = z.infer<typeof ModelPut>;

/** Classes kept in the team's zone unless its residency policy says otherwise. */
export const DEFAULT_ZONE_BOUND_CLASSES: readonly DataClass[] = ["internal", "restricted"];

/**
 * Whether a request of this class must be served in the team's zone. Pure.
 * @example isZoneBound({ zone_bound_classes: undefined }, "internal") === true
 */
export function isZoneBound(team: { zone_bound_classes?: readonly DataClass[] }, dataClass: DataClass): boolean {
  return (team.zone_bound_classes ?? DEFAULT_ZONE_BOUND_CLASSES).includes(dataClass);
}

export const TeamPut = z
  .object({
    name: z.string().max(200).optional(),
    monthly_budget_usd: z.number().min(0).max(10_000_000),
    rpm: z.number().int().min(0).max(10_000_000),
    tpm: z.number().int().min(0).max(1_000_000_000),
    residency: Zone,
    /**
     * Residency policy: the data classes served only by provider endpoints in the team's zone
     * (never another zone's fallback). Default {@link DEFAULT_ZONE_BOUND_CLASSES}.
     */
    zone_bound_classes: z.array(DataClass).max(3).optional(),
    /** Budget period; spend resets at the start of each (UTC). Default monthly. */
    budget_period: z.enum(["daily", "weekly", "monthly"]).optional(),
    /** Where budget-exhaustion warnings for this team go (besides finance and ALERT_EMAIL). */
    owner_email: z.email().max(254).optional(),
  })
  .strict();
export type TeamPut = z.infer<typeof TeamPut>;

export const Lifecycle = z.enum(["dev", "staging", "production", "deprecated", "decommissioned"]);
export type Lifecycle = z.infer<typeof Lifecycle>;

export const CachePolicy = z
  .object({
    mode: z.enum(["off", "exact", "semantic"]),
    ttl_s: z.number().int().min(1).max(30 * 86400).optional(),
    similarity: z.number().min(0).max(1).optional(),
    /** Who shares entries: this workload only (default), or every workload of its team (opt-in). */
    scope: z.enum(["workload", "team"]).optional(),
    /** Catalog embeddings model the semantic cache embeds prompts with (required for "semantic"). */
    embedding_model: z.string().min(1).max(128).optional(),
  })
  .strict();
export type CachePolicy = z.infer<typeof CachePolicy>;

/** Optional budget and rate limits below the team's: for the workload, and for each of its keys. */
const LimitSet = z
  .object({
    budget_usd: z.number().min(0).max(10_000_000).optional(),
    rpm: z.number().int().min(0).max(10_000_000).optional(),
    tpm: z.number().int().min(0).max(1_000_000_000).optional(),
  })
  .strict();
export const WorkloadLimits = LimitSet.extend({ per_key: LimitSet.optional() }).strict();
export type WorkloadLimits = z.infer<typeof WorkloadLimits>;

export const WorkloadPut = z
  .object({
    team: Id,
    name: z.string().max(200).optional(),
    default_data_class: DataClass,
    allowed_models: z.array(z.string().min(1).max(128)).max(256),
    lifecycle: Lifecycle,
    cache: CachePolicy.optional(),
    /** Worst-case output tokens assumed for budget reservation when a request sets no max_tokens. */
    default_max_tokens: z.number().int().positive().max(1_000_000).optional(),
    /** Budget/rpm/tpm for this workload and per key of it, enforced with the team's. */
    limits: WorkloadLimits.optional(),
    /** Per-type DLP actions (allow/redact/block/raise); the default policy applies when absent. */
    dlp: DlpPolicyConfig.optional(),
  })
  // Evaluation and lifecycle settings (owner, categories, gates, sampling, sunset): src/workloads/settings.ts.
  .extend(WorkloadEvalSettings.shape)
  .strict();
export type WorkloadPut = z.infer<typeof WorkloadPut>;

export const KeyCreate = z
  .object({
    workload: Id,
    name: z.string().max(200).optional(),
    expires_at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type KeyCreate = z.infer<typeof KeyCreate>;
