/**
 * @module
 * The one contract every provider adapter implements. An adapter is pure mapping: it turns an
 * OpenAI-shaped call into the provider's HTTP request and the provider's answers (JSON, streamed
 * events, errors) back into OpenAI shapes. The shared executor (./execute.ts) does the I/O, so
 * adding a provider is adding a folder with an `index.ts` that exports a `ProviderAdapter` and
 * one line in ./registry.ts.
 */
import type { Faults, ProviderType, Zone } from "../config/schemas";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingsRequest,
  EmbeddingsResponse,
  Usage,
} from "../gateway/schemas";

/** A provider as compiled into the policy bundle (secret already decrypted, in memory only). */
export interface ProviderRuntime {
  id: string;
  type: ProviderType;
  region: Zone;
  /** Includes the version path, e.g. `https://api.openai.com/v1`. */
  baseUrl?: string;
  apiKey?: string;
  options: Record<string, string>;
  faults: Faults;
}

export interface UpstreamRequest {
  url: string;
  method: "POST" | "GET";
  headers: Record<string, string>;
  body?: string;
}

export interface ChatCall {
  /** The client's request; `model` still holds the catalog id the client asked for. */
  request: ChatCompletionRequest;
  /** The provider's model name for this target. */
  model: string;
  provider: ProviderRuntime;
  stream: boolean;
}

export interface EmbeddingsCall {
  request: EmbeddingsRequest;
  model: string;
  provider: ProviderRuntime;
}

/** One server-sent event as read off the wire. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** The `{"error":{...}}` payload OpenAI sends mid-stream; the OpenAI SDKs raise on it. */
export interface StreamErrorPayload {
  error: UpstreamError & { param: null };
}

/**
 * One payload for the client's stream, still an object: the executor serialises it exactly once,
 * after the per-chunk hook (response DLP) has had its say.
 */
export type StreamPayload = ChatCompletionChunk | StreamErrorPayload;

/**
 * Stateful per-stream mapper (Portkey's idea): it sees each upstream event once and returns the
 * OpenAI payloads (`chat.completion.chunk` or an error) to send, in order. Objects rather than
 * JSON text, so the gateway can rewrite a chunk without parsing it again.
 */
export interface StreamTransformer {
  push(event: SseEvent): StreamPayload[];
  /** Upstream ended; return any trailing payloads (not "[DONE]": the executor sends it). */
  end(): StreamPayload[];
  /**
   * Optional, for upstreams already in OpenAI's format: the exact text `payload` arrived as, when
   * the latest `push` returned it as parsed. The executor sends that text instead of serialising
   * the object again, unless the chunk hook changed it. Undefined for any other payload.
   */
  verbatim?(payload: StreamPayload): string | undefined;
  /** Usage reported by the upstream, if it sent any. */
  usage(): Usage | undefined;
  /** Completion text so far, for token estimation when the upstream sends no usage. */
  text(): string;
  /** Finish reason of the last choice, when known. */
  finishReason(): string | null;
  /**
   * An error the upstream reported in-band (e.g. Anthropic's `error` event) or a stream that
   * stopped before its end marker. Optional: transformers that cannot tell leave it out.
   */
  error?(): UpstreamError | undefined;
}

/**
 * A step the executor runs on every `chat.completion.chunk` of the client-facing stream before
 * serialising it (response DLP uses it), so a streamed answer is read, mapped and rewritten in
 * one pass: no second decode, SSE split or JSON parse.
 */
export interface StreamChunkHook {
  /**
   * May rewrite `chunk` in place; returns true when it changed it (its upstream text is then
   * stale). A changed chunk left with no choices and no usage is not sent.
   */
  chunk(chunk: ChatCompletionChunk): boolean;
  /**
   * The stream is ending: called once, just before `[DONE]` (or after the error event of an
   * upstream that broke off). Returns one last chunk to send, if any.
   */
  end(): ChatCompletionChunk | undefined;
}

/** An upstream error mapped to OpenAI envelope fields. */
export interface UpstreamError {
  message: string;
  type: string;
  code: string | null;
}

export interface TransportContext {
  signal: AbortSignal;
  provider: ProviderRuntime;
  /** Workers AI binding, when deployed. */
  ai?: Ai;
  /** True for synthetic failover-drill traffic: drill-only faults apply to it alone. */
  drill: boolean;
}

export interface ProviderAdapter {
  readonly type: ProviderType;
  chat: {
    request(call: ChatCall): UpstreamRequest;
    response(body: unknown, call: ChatCall): ChatCompletion;
    stream(call: ChatCall): StreamTransformer;
  };
  embeddings?: {
    request(call: EmbeddingsCall): UpstreamRequest;
    response(body: unknown, call: EmbeddingsCall): EmbeddingsResponse;
  };
  /** Maps a non-2xx upstream answer (status and raw body text) to envelope fields. */
  error(status: number, body: string): UpstreamError;
  /**
   * For providers not reached over HTTP (simulated, the Workers AI binding): answers the request
   * with a Response shaped like the provider's own wire format. Absent means `fetch`.
   */
  transport?(req: UpstreamRequest, ctx: TransportContext): Promise<Response>;
}
