/**
 * @module
 * Anthropic's Messages API (`POST {base_url}/messages`, `x-api-key` and `anthropic-version`
 * headers). Request mapping lives in ./request.ts, answers, streams and errors in ./response.ts.
 * Anthropic has no embeddings endpoint, so this adapter has none and the executor reports
 * embeddings calls to it as unsupported.
 */
import { joinUrl } from "../openai-compatible";
import type { ProviderAdapter, UpstreamRequest } from "../types";
import { anthropicBody } from "./request";
import { anthropicChatResponse, anthropicError, anthropicStreamTransformer } from "./response";

export const ANTHROPIC_BASE_URL = "https://api.anthropic.com/v1";
/** The Messages API version header; `provider.options.version` overrides it. */
export const ANTHROPIC_VERSION = "2023-06-01";

export const anthropicAdapter: ProviderAdapter = {
  type: "anthropic",
  chat: {
    request(call): UpstreamRequest {
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "anthropic-version": call.provider.options.version ?? ANTHROPIC_VERSION,
      };
      if (call.provider.apiKey) headers["x-api-key"] = call.provider.apiKey;
      if (call.provider.options.beta) headers["anthropic-beta"] = call.provider.options.beta;
      return { url: joinUrl(call.provider.baseUrl ?? ANTHROPIC_BASE_URL, "/messages"), method: "POST", headers, body: JSON.stringify(anthropicBody(call)) };
    },
    response: anthropicChatResponse,
    stream: anthropicStreamTransformer,
  },
  error: anthropicError,
};

export default anthropicAdapter;
