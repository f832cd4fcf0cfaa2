/**
 * @module
 * The one place that talks to upstreams. It runs one attempt against one target: build the
 * request with the adapter, send it (fetch or the adapter's own transport) under a per-attempt
 * timeout, and map the answer back. Streams are piped through a pull-based ReadableStream, so
 * each upstream event reaches the client as soon as it is read: no buffering, no re-chunking.
 * Response DLP rides along as a per-chunk hook in that same pass, so each chunk is parsed and
 * serialised once.
 */
import type { ChatCompletion, ChatCompletionChunk, EmbeddingsResponse, Usage } from "../gateway/schemas";
import { SseParser } from "./sse";
import type {
  ChatCall,
  EmbeddingsCall,
  ProviderAdapter,
  StreamChunkHook,
  StreamPayload,
  StreamTransformer,
  TransportContext,
  UpstreamError,
  UpstreamRequest,
} from "./types";

export interface AttemptFailure {
  kind: "timeout" | "connection" | "status" | "malformed" | "unsupported";
  /** Upstream HTTP status, when there was one. */
  status?: number;
  retryAfterMs?: number;
  error: UpstreamError;
  /** True when trying again (or the next target) may succeed: 408/409/429/5xx, timeouts, connection errors. */
  retryable: boolean;
}

export interface StreamSummary {
  usage?: Usage;
  text: string;
  finishReason: string | null;
  /** Set when the upstream broke off mid-stream or the client went away. */
  error?: UpstreamError;
  clientClosed: boolean;
}

export type ChatAttempt =
  | { ok: true; kind: "json"; completion: ChatCompletion; ttfbMs: number }
  | { ok: true; kind: "stream"; body: ReadableStream<Uint8Array>; summary: Promise<StreamSummary>; ttfbMs: number }
  | { ok: false; failure: AttemptFailure };

export type EmbeddingsAttempt =
  | { ok: true; response: EmbeddingsResponse; ttfbMs: number }
  | { ok: false; failure: AttemptFailure };

export interface AttemptOptions {
  timeoutMs: number;
  ai?: Ai;
  drill?: boolean;
  /** Aborts the attempt when the client goes away. */
  signal?: AbortSignal;
  /** Runs on every chunk of a streamed answer before it is serialised (response DLP). */
  chunkHook?: StreamChunkHook;
  now?: () => number;
}

const encoder = new TextEncoder();

/** Parses `retry-after` (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** A request this provider cannot take: retryable, because the next target may take it. */
function unsupported(message: string): AttemptFailure {
  return { kind: "unsupported", retryable: true, error: { message, type: "invalid_request_error", code: "unsupported_by_provider" } };
}

/** A target whose provider type this build has no adapter for (a config error): try the next one. */
export function noAdapter(type: string): AttemptFailure {
  return { kind: "unsupported", retryable: true, error: { message: `no adapter for provider type ${type}`, type: "api_error", code: "no_adapter" } };
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

async function send(
  adapter: ProviderAdapter,
  req: UpstreamRequest,
  ctx: TransportContext,
): Promise<Response> {
  if (adapter.transport) return adapter.transport(req, ctx);
  return fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal: ctx.signal });
}

/** Sends one request with a timeout that covers everything up to the response headers. */
async function sendWithTimeout(
  adapter: ProviderAdapter,
  req: UpstreamRequest,
  call: { provider: TransportContext["provider"] },
  opts: AttemptOptions,
): Promise<{ response: Response; controller: AbortController; timer: ReturnType<typeof setTimeout> } | { failure: AttemptFailure }> {
  const controller = new AbortController();
  const onClientAbort = () => controller.abort(new Error("client closed"));
  opts.signal?.addEventListener("abort", onClientAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error("attempt timed out"));
  }, opts.timeoutMs);
  try {
    const response = await send(adapter, req, { signal: controller.signal, provider: call.provider, ai: opts.ai, drill: opts.drill ?? false });
    return { response, controller, timer };
  } catch (err) {
    clearTimeout(timer);
    if (timedOut) {
      return { failure: { kind: "timeout", retryable: true, error: { message: `no answer within ${opts.timeoutMs} ms`, type: "timeout_error", code: "upstream_timeout" } } };
    }
    const message = err instanceof Error ? err.message : "connection failed";
    return { failure: { kind: "connection", retryable: true, error: { message: `could not reach upstream: ${message}`, type: "upstream_error", code: "upstream_unreachable" } } };
  }
}

async function statusFailure(adapter: ProviderAdapter, response: Response): Promise<AttemptFailure> {
  const text = await response.text().catch(() => "");
  return {
    kind: "status",
    status: response.status,
    retryable: isRetryableStatus(response.status),
    retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
    error: adapter.error(response.status, text.slice(0, 64 * 1024)),
  };
}

type Sent = { response: Response; controller: AbortController; timer: ReturnType<typeof setTimeout>; ttfbMs: number };

/**
 * Builds the upstream request and sends it with the attempt's timeout. A request this provider
 * cannot take (the map throws) is `unsupported`: a reason to try the next target, not an error.
 */
async function buildAndSend(adapter: ProviderAdapter, build: () => UpstreamRequest, call: { provider: TransportContext["provider"] }, opts: AttemptOptions): Promise<Sent | { failure: AttemptFailure }> {
  const now = opts.now ?? Date.now;
  const started = now();
  let req: UpstreamRequest;
  try {
    req = build();
  } catch (err) {
    return { failure: unsupported(err instanceof Error ? err.message : "request not supported") };
  }
  const sent = await sendWithTimeout(adapter, req, call, opts);
  return "failure" in sent ? sent : { ...sent, ttfbMs: now() - started };
}

/**
 * Runs one chat-completion attempt against one target.
 * @example const a = await attemptChat(adapter, call, { timeoutMs: 30_000 });
 */
export async function attemptChat(adapter: ProviderAdapter, call: ChatCall, opts: AttemptOptions): Promise<ChatAttempt> {
  const sent = await buildAndSend(adapter, () => adapter.chat.request(call), call, opts);
  if ("failure" in sent) return { ok: false, failure: sent.failure };
  const { response, timer, ttfbMs } = sent;
  if (!response.ok) {
    clearTimeout(timer);
    return { ok: false, failure: await statusFailure(adapter, response) };
  }
  if (call.stream && response.body) {
    // Headers arrived: from here the stream belongs to the client and is never retried.
    clearTimeout(timer);
    return { ok: true, kind: "stream", ttfbMs, ...pipeStream(adapter, call, response.body, opts.chunkHook) };
  }
  try {
    const body: unknown = await response.json();
    clearTimeout(timer);
    return { ok: true, kind: "json", completion: adapter.chat.response(body, call), ttfbMs };
  } catch (err) {
    clearTimeout(timer);
    const timedOut = sent.controller.signal.aborted;
    return {
      ok: false,
      failure: timedOut
        ? { kind: "timeout", retryable: true, error: { message: `no complete answer within ${opts.timeoutMs} ms`, type: "timeout_error", code: "upstream_timeout" } }
        : { kind: "malformed", retryable: true, error: { message: err instanceof Error ? err.message : "malformed upstream answer", type: "upstream_error", code: "upstream_malformed" } },
    };
  }
}

/** A payload is a chunk the hook may rewrite when it has a `choices` array (errors and junk pass by). */
function isChunk(payload: StreamPayload): payload is ChatCompletionChunk {
  return "choices" in payload && Array.isArray(payload.choices);
}

/**
 * One SSE frame for a payload, after the hook had its say. A payload the upstream sent in OpenAI's
 * format and nothing changed goes out as the text it arrived as; anything else is serialised here,
 * the only place a chunk is turned into JSON.
 */
function frame(payload: StreamPayload, transformer: StreamTransformer, hook: StreamChunkHook | undefined): string {
  const changed = hook !== undefined && isChunk(payload) && hook.chunk(payload);
  // The hook held all the text this chunk carried and left it nothing else: send nothing.
  if (changed && payload.choices.length === 0 && !payload.usage) return "";
  const text = changed ? undefined : transformer.verbatim?.(payload);
  return `data: ${text ?? JSON.stringify(payload)}\n\n`;
}

/**
 * Maps an upstream SSE body into an OpenAI SSE body, reporting a summary when it ends. `hook`
 * (response DLP) sees each chunk in the same pass; its closing chunk goes out before `[DONE]`.
 */
export function pipeStream(
  adapter: ProviderAdapter,
  call: ChatCall,
  upstream: ReadableStream<Uint8Array>,
  hook?: StreamChunkHook,
): { body: ReadableStream<Uint8Array>; summary: Promise<StreamSummary> } {
  const transformer = adapter.chat.stream(call);
  const reader = upstream.getReader();
  const decoder = new TextDecoder();
  let resolveSummary!: (s: StreamSummary) => void;
  const summary = new Promise<StreamSummary>((r) => (resolveSummary = r));
  // Frames ready to send. Payloads are framed as soon as `push` returns them: `verbatim` only
  // knows the payloads of the latest push.
  let pending = "";
  const write = (payloads: StreamPayload[]) => {
    for (const p of payloads) pending += frame(p, transformer, hook);
  };
  const parser = new SseParser((event) => write(transformer.push(event)));
  const closing = (): string => {
    const last = hook?.end();
    return last ? `data: ${JSON.stringify(last)}\n\n` : "";
  };
  const finish = (error?: UpstreamError, clientClosed = false) =>
    resolveSummary({
      usage: transformer.usage(),
      text: transformer.text(),
      finishReason: transformer.finishReason(),
      // A read failure wins; otherwise an error the upstream reported inside the stream.
      error: error ?? transformer.error?.(),
      clientClosed,
    });

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Read until at least one event is ready, then hand it on immediately.
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          const error: UpstreamError = { message: `upstream stream broke: ${err instanceof Error ? err.message : "read failed"}`, type: "upstream_error", code: "stream_interrupted" };
          // What the hook still holds was scanned text the client is owed; it follows the error.
          controller.enqueue(encoder.encode(`data: ${JSON.stringify({ error })}\n\n${closing()}`));
          controller.close();
          finish(error);
          return;
        }
        if (chunk.done) {
          parser.end();
          write(transformer.end());
          const tail = pending + closing() + "data: [DONE]\n\n";
          pending = "";
          controller.enqueue(encoder.encode(tail));
          controller.close();
          finish();
          return;
        }
        parser.feed(decoder.decode(chunk.value, { stream: true }));
        if (pending.length > 0) {
          const out = pending;
          pending = "";
          controller.enqueue(encoder.encode(out));
          return;
        }
      }
    },
    cancel(reason) {
      finish(undefined, true);
      return reader.cancel(reason);
    },
  });
  return { body, summary };
}

/** Runs one embeddings attempt against one target. */
export async function attemptEmbeddings(adapter: ProviderAdapter, call: EmbeddingsCall, opts: AttemptOptions): Promise<EmbeddingsAttempt> {
  const embeddings = adapter.embeddings;
  if (!embeddings) {
    return { ok: false, failure: unsupported(`provider type ${adapter.type} has no embeddings`) };
  }
  const sent = await buildAndSend(adapter, () => embeddings.request(call), call, opts);
  if ("failure" in sent) return { ok: false, failure: sent.failure };
  const { response, timer, ttfbMs } = sent;
  try {
    if (!response.ok) return { ok: false, failure: await statusFailure(adapter, response) };
    const body: unknown = await response.json();
    return { ok: true, response: embeddings.response(body, call), ttfbMs };
  } catch (err) {
    return { ok: false, failure: { kind: "malformed", retryable: true, error: { message: err instanceof Error ? err.message : "malformed upstream answer", type: "upstream_error", code: "upstream_malformed" } } };
  } finally {
    clearTimeout(timer);
  }
}
