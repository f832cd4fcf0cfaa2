/**
 * @module
 * Google's Gemini API: `POST {base_url}/models/{model}:generateContent`, or
 * `:streamGenerateContent?alt=sse` for streams, and `:batchEmbedContents` for embeddings, with the
 * key in `x-goog-api-key` (kept out of the URL so it never lands in access logs).
 */
import type { EmbeddingsResponse } from "../../gateway/schemas";
import { estimateTokens } from "../chunks";
import { joinUrl } from "../openai-compatible";
import type { EmbeddingsCall, ProviderAdapter, ProviderRuntime, UpstreamRequest } from "../types";
import { geminiBody, modelName } from "./request";
import { geminiChatResponse, geminiError, geminiStreamTransformer } from "./response";
import type { BatchEmbedContentsResponse } from "./wire";

export const GEMINI_BASE_URL = "https://generativelanguage.googleapis.com/v1beta";

function headers(provider: ProviderRuntime): Record<string, string> {
  const h: Record<string, string> = { "content-type": "application/json" };
  if (provider.apiKey) h["x-goog-api-key"] = provider.apiKey;
  return h;
}

function modelUrl(provider: ProviderRuntime, model: string, method: string): string {
  return joinUrl(provider.baseUrl ?? GEMINI_BASE_URL, `/models/${encodeURIComponent(modelName(model))}:${method}`);
}

function embeddingInputs(call: EmbeddingsCall): string[] {
  const input = call.request.input;
  if (typeof input === "string") return [input];
  if (input.every((x): x is string => typeof x === "string")) return input;
  // Token-id inputs are OpenAI tokenizer ids; they mean nothing to Gemini.
  throw new Error("gemini adapter takes embeddings input as text, not token ids");
}

export const geminiAdapter: ProviderAdapter = {
  type: "gemini",
  chat: {
    request(call): UpstreamRequest {
      const url = call.stream ? `${modelUrl(call.provider, call.model, "streamGenerateContent")}?alt=sse` : modelUrl(call.provider, call.model, "generateContent");
      return { url, method: "POST", headers: headers(call.provider), body: JSON.stringify(geminiBody(call)) };
    },
    response: geminiChatResponse,
    stream: geminiStreamTransformer,
  },
  embeddings: {
    request(call): UpstreamRequest {
      const model = `models/${modelName(call.model)}`;
      const dims = call.request.dimensions;
      const requests = embeddingInputs(call).map((text) => ({
        model,
        content: { parts: [{ text }] },
        ...(dims ? { outputDimensionality: dims } : {}),
      }));
      return { url: modelUrl(call.provider, call.model, "batchEmbedContents"), method: "POST", headers: headers(call.provider), body: JSON.stringify({ requests }) };
    },
    response(body, call): EmbeddingsResponse {
      const r = body as BatchEmbedContentsResponse;
      if (!r || !Array.isArray(r.embeddings)) throw new Error("upstream answered malformed embeddings");
      // batchEmbedContents reports no token counts; an estimate keeps budgets honest.
      const tokens = embeddingInputs(call).reduce((sum, text) => sum + estimateTokens(text), 0);
      return {
        object: "list",
        data: r.embeddings.map((e, index) => ({ object: "embedding", index, embedding: e.values })),
        model: call.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      };
    },
  },
  error: geminiError,
};

export default geminiAdapter;
