/**
 * @module
 * Any server that speaks OpenAI's wire format at `base_url` (vLLM, Ollama, Groq, Together, the
 * mock upstream in scripts/). The `openai` and `azure-openai` adapters and the simulated provider
 * reuse these mappers, changing only URL and auth.
 */
import type { ChatCompletion, ChatCompletionChunk, EmbeddingsResponse, Usage } from "../../gateway/schemas";
import type {
  ChatCall,
  EmbeddingsCall,
  ProviderAdapter,
  SseEvent,
  StreamPayload,
  StreamTransformer,
  UpstreamError,
  UpstreamRequest,
} from "../types";

/** The JSON body sent upstream: the client's request with the target's model name. Streams always ask for usage. */
export function openAiChatBody(call: ChatCall): string {
  const body: Record<string, unknown> = { ...call.request, model: call.model };
  if (call.stream) {
    body.stream = true;
    body.stream_options = { ...(call.request.stream_options ?? {}), include_usage: true };
  } else {
    delete body.stream;
    delete body.stream_options;
  }
  return JSON.stringify(body);
}

export function openAiEmbeddingsBody(call: EmbeddingsCall): string {
  // Always ask for floats: the gateway re-encodes to base64 itself when the client asked.
  return JSON.stringify({ ...call.request, model: call.model, encoding_format: "float" });
}

/** `Authorization: Bearer` when a key is configured (local servers often take none). */
export function bearer(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

/** Joins a configured base URL (version path included) and an endpoint path. */
export function joinUrl(base: string | undefined, path: string): string {
  if (!base) throw new Error("provider has no base_url");
  return base.replace(/\/+$/, "") + path;
}

/**
 * Stream transformer for OpenAI-format chunks: returns each chunk as parsed and offers its
 * upstream text through `verbatim`, so a chunk nothing rewrites is forwarded as it came (no
 * re-serialization). Remembers usage and text, and drops the usage-only chunk unless the client
 * asked for it with `stream_options.include_usage`.
 */
export function openAiStreamTransformer(call: ChatCall): StreamTransformer {
  const clientWantsUsage = call.request.stream_options?.include_usage === true;
  let usage: Usage | undefined;
  let text = "";
  let finish: string | null = null;
  // The last chunk returned as parsed and the text it arrived as (see StreamTransformer.verbatim).
  let forwarded: ChatCompletionChunk | undefined;
  let forwardedText = "";
  return {
    push(event: SseEvent): StreamPayload[] {
      if (event.data === "[DONE]") return [];
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        return [];
      }
      // Only objects are payloads; a bare `null` or number is as unusable as text that is not JSON.
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return [];
      const chunk = parsed as ChatCompletionChunk;
      if (chunk.usage) usage = chunk.usage;
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      for (const choice of choices) {
        const content = choice.delta?.content;
        if (typeof content === "string") text += content;
        const args = choice.delta?.tool_calls;
        if (args) for (const t of args) text += t.function?.arguments ?? "";
        if (choice.finish_reason) finish = choice.finish_reason;
      }
      if (choices.length === 0 && chunk.usage && !clientWantsUsage) return [];
      if (chunk.usage && !clientWantsUsage) return [{ ...chunk, usage: undefined }];
      forwarded = chunk;
      forwardedText = event.data;
      return [chunk];
    },
    end: () => [],
    verbatim: (payload) => (payload === forwarded ? forwardedText : undefined),
    usage: () => usage,
    text: () => text,
    finishReason: () => finish,
  };
}

/** Maps an OpenAI-style error body (`{"error":{...}}`) or any text to envelope fields. */
export function openAiError(status: number, body: string): UpstreamError {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown; type?: unknown; code?: unknown } | string };
    const e = parsed.error;
    if (typeof e === "string") return { message: e, type: "upstream_error", code: null };
    if (e && typeof e.message === "string") {
      return {
        message: e.message,
        type: typeof e.type === "string" ? e.type : "upstream_error",
        code: typeof e.code === "string" ? e.code : e.code == null ? null : String(e.code),
      };
    }
  } catch {
    // not JSON: fall through
  }
  return { message: `upstream answered ${status}`, type: "upstream_error", code: null };
}

export function openAiChatResponse(body: unknown): ChatCompletion {
  const c = body as ChatCompletion;
  if (!c || typeof c !== "object" || !Array.isArray(c.choices)) throw new Error("upstream answered a malformed completion");
  return c;
}

export function openAiEmbeddingsResponse(body: unknown): EmbeddingsResponse {
  const e = body as EmbeddingsResponse;
  if (!e || typeof e !== "object" || !Array.isArray(e.data)) throw new Error("upstream answered malformed embeddings");
  return e;
}

/** Builds an OpenAI-format adapter given how to address and authenticate the upstream. */
export function openAiLikeAdapter(
  type: ProviderAdapter["type"],
  address: (call: { provider: ChatCall["provider"]; model: string }, path: "/chat/completions" | "/embeddings") => {
    url: string;
    headers: Record<string, string>;
  },
): ProviderAdapter {
  return {
    type,
    chat: {
      request(call): UpstreamRequest {
        const { url, headers } = address(call, "/chat/completions");
        return { url, method: "POST", headers: { "content-type": "application/json", ...headers }, body: openAiChatBody(call) };
      },
      response: (body) => openAiChatResponse(body),
      stream: openAiStreamTransformer,
    },
    embeddings: {
      request(call): UpstreamRequest {
        const { url, headers } = address(call, "/embeddings");
        return { url, method: "POST", headers: { "content-type": "application/json", ...headers }, body: openAiEmbeddingsBody(call) };
      },
      response: (body) => openAiEmbeddingsResponse(body),
    },
    error: openAiError,
  };
}

export const openAiCompatibleAdapter: ProviderAdapter = openAiLikeAdapter("openai-compatible", (call, path) => ({
  url: joinUrl(call.provider.baseUrl, path),
  headers: bearer(call.provider.apiKey),
}));

export default openAiCompatibleAdapter;
