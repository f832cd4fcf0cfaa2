/**
 * @module
 * Azure OpenAI: the OpenAI wire format behind per-deployment URLs,
 * `{base_url}/openai/deployments/{deployment}/chat/completions?api-version=…`, authenticated with
 * an `api-key` header. The target's model name is the deployment name. `provider.options.api_version`
 * picks the API version (default: the latest GA data-plane version); `"v1"` selects Azure's
 * version-less `/openai/v1` surface, where the deployment travels as `model` in the body.
 */
import type { ChatCall, ProviderAdapter, StreamTransformer } from "../types";
import { openAiLikeAdapter, openAiStreamTransformer } from "../openai-compatible";

/** Latest GA version of the data-plane inference API with dated versions. */
export const AZURE_DEFAULT_API_VERSION = "2024-10-21";

/** The resource root: accepts `https://x.openai.azure.com`, `…/openai` and `…/openai/v1` alike. */
function resourceRoot(base: string | undefined): string {
  if (!base) throw new Error("azure-openai provider has no base_url (https://<resource>.openai.azure.com)");
  return base.replace(/\/+$/, "").replace(/\/openai(\/v1)?$/, "");
}

const wire = openAiLikeAdapter("azure-openai", ({ provider, model }, path) => {
  const root = resourceRoot(provider.baseUrl);
  const version = provider.options.api_version ?? AZURE_DEFAULT_API_VERSION;
  const headers: Record<string, string> = provider.apiKey ? { "api-key": provider.apiKey } : {};
  if (version === "v1") return { url: `${root}/openai/v1${path}`, headers };
  const url = `${root}/openai/deployments/${encodeURIComponent(model)}${path}?api-version=${encodeURIComponent(version)}`;
  return { url, headers };
});

/**
 * Azure opens each stream with a chunk that has no choices, only `prompt_filter_results` (and an
 * empty model). It is Azure bookkeeping, not part of OpenAI's format, so it is not forwarded.
 */
function azureStreamTransformer(call: ChatCall): StreamTransformer {
  const inner = openAiStreamTransformer(call);
  return {
    ...inner,
    push(event) {
      if (event.data.includes('"prompt_filter_results"')) {
        try {
          const chunk = JSON.parse(event.data) as { choices?: unknown[]; usage?: unknown };
          if (Array.isArray(chunk.choices) && chunk.choices.length === 0 && !chunk.usage) return [];
        } catch {
          // not JSON: let the OpenAI transformer decide
        }
      }
      return inner.push(event);
    },
  };
}

export const azureOpenAiAdapter: ProviderAdapter = {
  ...wire,
  chat: { ...wire.chat, stream: azureStreamTransformer },
};

export default azureOpenAiAdapter;
