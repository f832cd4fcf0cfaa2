/**
 * @module
 * OpenAI itself: the OpenAI wire format at `https://api.openai.com/v1` (or the configured
 * `base_url`), a Bearer key, and the optional `OpenAI-Organization` / `OpenAI-Project` headers
 * from `provider.options.organization` / `.project` so usage lands on the right OpenAI project.
 */
import { bearer, joinUrl, openAiLikeAdapter } from "../openai-compatible";
import type { ProviderAdapter } from "../types";

export const OPENAI_BASE_URL = "https://api.openai.com/v1";

export const openAiAdapter: ProviderAdapter = openAiLikeAdapter("openai", ({ provider }, path) => {
  const headers: Record<string, string> = { ...bearer(provider.apiKey) };
  if (provider.options.organization) headers["openai-organization"] = provider.options.organization;
  if (provider.options.project) headers["openai-project"] = provider.options.project;
  return { url: joinUrl(provider.baseUrl ?? OPENAI_BASE_URL, path), headers };
});

export default openAiAdapter;
