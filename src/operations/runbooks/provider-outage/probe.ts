/**
 * @module
 * Direct provider probes for the outage runbook: one tiny request to one target through the
 * provider's adapter (no pipeline, no usage event, no budget), and the provider's shared
 * breaker snapshot. Probes are production traffic for fault purposes (drill-only faults do not
 * apply), so they see what users see.
 */
import type { ModelPolicy, PolicyBundle } from "../../../config/bundle";
import type { Env } from "../../../env";
import type { ChatCompletionRequest, EmbeddingsRequest } from "../../../gateway/schemas";
import { attemptChat, attemptEmbeddings } from "../../../providers/execute";
import { adapterFor } from "../../../providers/registry";
import type { HealthStats } from "../../../routing/breaker";

/** Cap per probe: an outage (no answer) costs this much, once per cron. */
export const PROBE_TIMEOUT_MS = 3_000;

export interface ProbeResult {
  provider: string;
  model: string;
  ok: boolean;
  /** timeout | connection | status | malformed | unsupported (failures only). */
  error_kind?: string;
  status?: number;
  code?: string | null;
}

/**
 * Sends one minimal request of the model's kind to the target of `model` on `providerId`.
 * @example await probeTarget(bundle, bundle.models.get("sim-chat")!, "sim-us")
 */
export async function probeTarget(bundle: PolicyBundle, model: ModelPolicy, providerId: string): Promise<ProbeResult> {
  const provider = bundle.providers.get(providerId);
  const target = model.targets.find((t) => t.provider === providerId);
  const adapter = provider ? adapterFor(provider.type) : undefined;
  const base = { provider: providerId, model: model.id };
  if (!provider || !target || !adapter) return { ...base, ok: false, error_kind: "unsupported" };
  const timeoutMs = Math.min(target.timeout_ms ?? PROBE_TIMEOUT_MS, PROBE_TIMEOUT_MS);
  if (model.kind === "embeddings") {
    if (!adapter.embeddings) return { ...base, ok: false, error_kind: "unsupported" };
    const request = { model: model.id, input: "health probe" } as EmbeddingsRequest;
    const a = await attemptEmbeddings(adapter, { request, model: target.model, provider }, { timeoutMs });
    return a.ok ? { ...base, ok: true } : { ...base, ok: false, error_kind: a.failure.kind, status: a.failure.status, code: a.failure.error.code };
  }
  const request = { model: model.id, messages: [{ role: "user", content: "health probe: reply ok" }], max_tokens: 4 } as ChatCompletionRequest;
  const a = await attemptChat(adapter, { request, model: target.model, provider, stream: false }, { timeoutMs });
  return a.ok ? { ...base, ok: true } : { ...base, ok: false, error_kind: a.failure.kind, status: a.failure.status, code: a.failure.error.code };
}

/** The models with a target on `providerId` (chat first: a chat probe is the most telling). */
export function modelsOn(bundle: PolicyBundle, providerId: string): ModelPolicy[] {
  return [...bundle.models.values()]
    .filter((m) => m.targets.some((t) => t.provider === providerId))
    .sort((a, b) => (a.kind === b.kind ? a.id.localeCompare(b.id) : a.kind === "chat" ? -1 : 1));
}

function healthStub(env: Env, provider: string) {
  return env.PROVIDER_HEALTH.get(env.PROVIDER_HEALTH.idFromName(`${provider}@${env.REGION}`));
}

/** The shared breaker's snapshot of a provider as this region sees it. */
export function breakerSnapshot(env: Env, provider: string): Promise<HealthStats> {
  return healthStub(env, provider).snapshot();
}

/** Reports failed outcomes so the shared breaker opens: every isolate skips the provider at its next sync. */
export function openBreaker(env: Env, provider: string, failures: number): Promise<HealthStats> {
  const now = Date.now();
  return healthStub(env, provider).report(Array.from({ length: failures }, (_, i) => ({ ok: false, latencyMs: 0, at: now + i })));
}

/** Back to a closed circuit once the provider answers again. */
export function resetBreaker(env: Env, provider: string): Promise<HealthStats> {
  return healthStub(env, provider).reset();
}
