/**
 * @module
 * Cloudflare Workers AI through the `AI` binding rather than HTTP: the adapter's `transport`
 * calls `ctx.ai.run(model, inputs)` (./transport.ts) and the mappers in ./mapping.ts translate.
 * Requests are addressed with pseudo-URLs (`workers-ai://chat/<model>`) so logs and tests can
 * still see where a call went.
 */
import { openAiError } from "../openai-compatible";
import type { ProviderAdapter, UpstreamError, UpstreamRequest } from "../types";
import {
  workersAiChatInputs,
  workersAiChatResponse,
  workersAiEmbeddingInputs,
  workersAiEmbeddingsResponse,
  workersAiStreamTransformer,
} from "./mapping";
import { runBinding, WORKERS_AI_SCHEME } from "./transport";

const JSON_HEADERS = { "content-type": "application/json" };

/** HTTP status → OpenAI error type, for the statuses Workers AI documents. */
const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: "invalid_request_error",
  403: "permission_error",
  404: "not_found_error",
  405: "invalid_request_error",
  408: "timeout_error",
  413: "invalid_request_error",
  429: "rate_limit_error",
  503: "service_unavailable",
};

/** Maps `{"success":false,"errors":[{"code","message"}]}` (REST API and our transport alike). */
export function workersAiError(status: number, body: string): UpstreamError {
  try {
    const parsed = JSON.parse(body) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    const first = parsed.errors?.[0];
    if (first && typeof first.message === "string") {
      const code = first.code == null ? null : typeof first.code === "number" ? `workers_ai_${first.code}` : String(first.code);
      return { message: first.message, type: ERROR_TYPES[status] ?? "upstream_error", code };
    }
  } catch {
    // not JSON
  }
  return openAiError(status, body);
}

export const workersAiAdapter: ProviderAdapter = {
  type: "workers-ai",
  chat: {
    request: (call): UpstreamRequest => ({
      url: `${WORKERS_AI_SCHEME}chat/${call.model}`,
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify(workersAiChatInputs(call)),
    }),
    response: workersAiChatResponse,
    stream: workersAiStreamTransformer,
  },
  embeddings: {
    request: (call): UpstreamRequest => ({
      url: `${WORKERS_AI_SCHEME}embeddings/${call.model}`,
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify(workersAiEmbeddingInputs(call)),
    }),
    response: workersAiEmbeddingsResponse,
  },
  error: workersAiError,
  transport: runBinding,
};

export default workersAiAdapter;
