// The demo organisation "Acme": teams in three residency zones, workloads of every data class,
// simulated providers, a model catalog, and deterministic demo API keys. Plain data: the seed
// writes it, `demo:credentials` prints its keys, and a test checks it against the zod schemas.
import { createHash, createHmac } from "node:crypto";

export const DEMO_TEAMS = {
  platform: { name: "Platform engineering", monthly_budget_usd: 5000, rpm: 6000, tpm: 2_000_000, residency: "us" },
  support: { name: "Customer support", monthly_budget_usd: 2000, rpm: 3000, tpm: 1_000_000, residency: "us" },
  research: { name: "Research (EU)", monthly_budget_usd: 3000, rpm: 1200, tpm: 800_000, residency: "eu" },
  people: { name: "People & HR (EU)", monthly_budget_usd: 800, rpm: 600, tpm: 200_000, residency: "eu" },
  "apac-sales": { name: "Sales APAC", monthly_budget_usd: 1200, rpm: 1200, tpm: 400_000, residency: "apac" },
};

export const DEMO_PROVIDERS = {
  "sim-us-primary": { type: "simulated", region: "us" },
  "sim-us-backup": { type: "simulated", region: "us" },
  "sim-eu": { type: "simulated", region: "eu" },
  "sim-apac": { type: "simulated", region: "apac" },
};

const ALL = ["public", "internal", "restricted"];
export const DEMO_MODELS = {
  "gpt-sim": {
    kind: "chat",
    targets: [{ provider: "sim-us-primary", model: "sim-large" }, { provider: "sim-us-backup", model: "sim-large" }, { provider: "sim-eu", model: "sim-large-eu" }],
    data_classes: ALL,
    price: { input_per_mtok: 2.5, output_per_mtok: 10 },
    capabilities: { context_window: 128000, tools: true, json_mode: true, streaming: true },
  },
  "gpt-sim-mini": {
    kind: "chat",
    targets: [{ provider: "sim-us-backup", model: "sim-small" }, { provider: "sim-us-primary", model: "sim-small" }],
    data_classes: ["public", "internal"],
    price: { input_per_mtok: 0.15, output_per_mtok: 0.6 },
    capabilities: { context_window: 32000, tools: true, json_mode: true, streaming: true },
  },
  "eu-sim": {
    kind: "chat",
    targets: [{ provider: "sim-eu", model: "sim-eu-large" }],
    data_classes: ALL,
    price: { input_per_mtok: 3, output_per_mtok: 12 },
  },
  "apac-sim": {
    kind: "chat",
    targets: [{ provider: "sim-apac", model: "sim-apac-large" }],
    data_classes: ALL,
    price: { input_per_mtok: 2, output_per_mtok: 8 },
  },
  "embed-sim": {
    kind: "embeddings",
    targets: [{ provider: "sim-us-primary", model: "sim-embed" }, { provider: "sim-us-backup", model: "sim-embed" }],
    data_classes: ["public", "internal"],
    price: { input_per_mtok: 0.02, output_per_mtok: 0 },
  },
};

export const DEMO_WORKLOADS = {
  "support-bot": { team: "support", name: "Support chat assistant", default_data_class: "public", allowed_models: ["gpt-sim", "gpt-sim-mini", "embed-sim"], lifecycle: "production", owner: "support-bot-owner@acme.example", input_categories: ["billing", "refunds", "shipping", "account"], cache: { mode: "exact", ttl_s: 3600 } },
  "docs-search": { team: "platform", name: "Docs semantic search", default_data_class: "public", allowed_models: ["gpt-sim-mini", "embed-sim"], lifecycle: "production", owner: "docs-search-owner@acme.example", input_categories: ["setup", "api", "errors", "concepts"], cache: { mode: "semantic", ttl_s: 3600, similarity: 0.92, embedding_model: "embed-sim" } },
  "code-review": { team: "platform", name: "Code review bot", default_data_class: "internal", allowed_models: ["gpt-sim", "gpt-sim-mini"], lifecycle: "production", owner: "code-review-owner@acme.example", input_categories: ["style", "bugs", "security", "tests"] },
  "incident-summaries": { team: "platform", name: "Incident summaries", default_data_class: "internal", allowed_models: ["gpt-sim"], lifecycle: "staging" },
  "research-notebook": { team: "research", name: "Research notebook", default_data_class: "internal", allowed_models: ["eu-sim", "gpt-sim"], lifecycle: "production", owner: "research-notebook-owner@acme.example", input_categories: ["summarise", "compare", "cite", "math"] },
  "hr-assistant": { team: "people", name: "HR case assistant", default_data_class: "restricted", allowed_models: ["eu-sim"], lifecycle: "production", owner: "hr-assistant-owner@acme.example", input_categories: ["leave", "policy", "cases", "onboarding"] },
  "claims-triage": { team: "apac-sales", name: "Claims triage", default_data_class: "restricted", allowed_models: ["apac-sim"], lifecycle: "production", owner: "claims-triage-owner@acme.example", input_categories: ["intake", "fraud", "routing", "payout"] },
  "sales-drafts": { team: "apac-sales", name: "Sales email drafts", default_data_class: "public", allowed_models: ["apac-sim", "gpt-sim-mini"], lifecycle: "dev" },
};

/** Demo keys are derived from a fixed local seed so `demo:credentials` can print them any time. */
export function demoApiKey(workload) {
  const body = createHmac("sha256", "switchyard-demo-keys").update(workload).digest("base64url").replace(/[-_]/g, "").slice(0, 40);
  return `sk-sy-${body}`;
}

export function demoKeyRows(now = new Date()) {
  return Object.entries(DEMO_WORKLOADS).map(([workload, w]) => {
    const apiKey = demoApiKey(workload);
    return {
      id: `key_demo_${workload.replace(/-/g, "_")}`,
      hash: createHash("sha256").update(apiKey).digest("hex"),
      prefix: apiKey.slice(0, 12),
      workload,
      team: w.team,
      name: "demo key",
      created_at: now.toISOString(),
      apiKey,
    };
  });
}
