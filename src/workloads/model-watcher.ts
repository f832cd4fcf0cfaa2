/**
 * @module
 * The provider model-list watcher (daily cron `model-watcher`, workers/cron.ts): lists each
 * configured provider's models and, when a newer version of a catalog target's model appears
 * (./model-versions.ts: same family, later date or revision), records it as a candidate
 * (./candidates.ts), which starts its evaluation. Candidates are unique per (model, provider,
 * version), so a version is proposed once, also after it was dismissed.
 *
 * Listing: OpenAI-compatible `GET {base_url}/models` (openai, openai-compatible; the mock
 * upstream in scripts/ answers it), Anthropic `GET {base_url}/models`, and the simulated
 * provider in-process (`simulatedModelList`: its `models` option, comma-separated, or a built-in list).
 * Other provider types are skipped.
 */
import { getBundle } from "../config/loader";
import type { Env } from "../env";
import { ANTHROPIC_BASE_URL, ANTHROPIC_VERSION } from "../providers/anthropic";
import { bearer, joinUrl } from "../providers/openai-compatible";
import { OPENAI_BASE_URL } from "../providers/openai";
import { simulatedModelList } from "../providers/simulated";
import type { ProviderRuntime } from "../providers/types";
import { recordCandidate } from "./candidates";
import { newerVersion } from "./model-versions";

const LIST_TIMEOUT_MS = 10_000;

/**
 * Model ids from an OpenAI- or Anthropic-style list answer (`{"data":[{"id":...}]}`) (pure).
 * @example modelIds({ data: [{ id: "gpt-4o-mini-2024-07-18" }] }) // ["gpt-4o-mini-2024-07-18"]
 */
export function modelIds(answer: unknown): string[] {
  const data = (answer as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return [];
  return data.map((m) => (m as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === "string" && id.length > 0 && id.length <= 256);
}

/** The models a provider lists, or undefined when its type has no listing the watcher knows. */
export async function listProviderModels(provider: ProviderRuntime): Promise<string[] | undefined> {
  if (provider.type === "simulated") {
    return simulatedModelList(provider.options);
  }
  let request: { url: string; headers: Record<string, string> };
  if (provider.type === "openai" || provider.type === "openai-compatible") {
    request = { url: joinUrl(provider.baseUrl ?? (provider.type === "openai" ? OPENAI_BASE_URL : undefined), "/models"), headers: bearer(provider.apiKey) };
  } else if (provider.type === "anthropic") {
    request = {
      url: joinUrl(provider.baseUrl ?? ANTHROPIC_BASE_URL, "/models?limit=1000"),
      headers: { "anthropic-version": provider.options.version ?? ANTHROPIC_VERSION, ...(provider.apiKey ? { "x-api-key": provider.apiKey } : {}) },
    };
  } else {
    return undefined;
  }
  const res = await fetch(request.url, { headers: request.headers, signal: AbortSignal.timeout(LIST_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`GET ${request.url} answered ${res.status}`);
  return modelIds(await res.json());
}

export interface WatcherFinding {
  model: string;
  provider: string;
  from_model: string;
  to_model: string;
  /** false when the candidate was already known (nothing new started). */
  created: boolean;
}

/**
 * One pass over every catalog target. A provider that cannot be listed is logged and skipped.
 * @example const found = await runModelWatcher(env)
 */
export async function runModelWatcher(env: Env): Promise<WatcherFinding[]> {
  const bundle = await getBundle(env, { waitUntil: () => {} });
  const listed = new Map<string, Promise<string[] | undefined>>();
  const list = (p: ProviderRuntime) => {
    if (!listed.has(p.id)) listed.set(p.id, listProviderModels(p).catch((err) => (console.warn("provider models not listed", { provider: p.id, error: err instanceof Error ? err.message : String(err) }), undefined)));
    return listed.get(p.id)!;
  };
  const findings: WatcherFinding[] = [];
  for (const model of bundle.models.values()) {
    for (const target of model.targets) {
      const provider = bundle.providers.get(target.provider);
      const models = provider ? await list(provider) : undefined;
      const newer = models ? newerVersion(target.model, models) : undefined;
      if (!newer) continue;
      try {
        const r = await recordCandidate(env, { model: model.id, provider: target.provider, to_model: newer, source: "watcher", actor: "system:model-watcher" });
        findings.push({ model: model.id, provider: target.provider, from_model: target.model, to_model: newer, created: r.created });
      } catch (err) {
        console.warn("model candidate not recorded", { model: model.id, provider: target.provider, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  return findings;
}
