/**
 * @module
 * The one place that talks to upstreams. It runs one attempt against one target: build the
 * request with the adapter, send it (fetch or the adapter's own transport) under a per-attempt
 * timeout, and map the answer back. Streams are piped through a pull-based ReadableStream, so
 * each upstream event reaches the client as soon as it is read: no buffering, no re-chunking.
 */
import type { ChatCompletion, EmbeddingsResponse, Usage } from "../gateway/schemas";
import { SseParser } from "./sse";
import type { ChatCall, EmbeddingsCall, ProviderAdapter, TransportContext, UpstreamError, UpstreamRequest } from "./types";

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
    return { ok: true, kind: "stream", ttfbMs, ...pipeStream(adapter, call, response.body) };
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

/** Maps an upstream SSE body into an OpenAI SSE body, reporting a summary when it ends. */
export function pipeStream(
  adapter: ProviderAdapter,
  call: ChatCall,
  upstream: ReadableStream<Uint8Array>,
): { body: ReadableStream<Uint8Array>; summary: Promise<StreamSummary> } {
  const transformer = adapter.chat.stream(call);
  const reader = upstream.getReader();
  const decoder = new TextDecoder();
  let resolveSummary!: (s: StreamSummary) => void;
  const summary = new Promise<StreamSummary>((r) => (resolveSummary = r));
  let pending: string[] = [];
  const parser = new SseParser((event) => {
    for (const out of transformer.push(event)) pending.push(out);
  });
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
          controller.enqueue(encoder.encode(`data: ${JSON.stringify({ error })}\n\n`));
          controller.close();
          finish(error);
          return;
        }
        if (chunk.done) {
          parser.end();
          for (const out of transformer.end()) pending.push(out);
          const tail = pending.map((p) => `data: ${p}\n\n`).join("") + "data: [DONE]\n\n";
          pending = [];
          controller.enqueue(encoder.encode(tail));
          controller.close();
          finish();
          return;
        }
        parser.feed(decoder.decode(chunk.value, { stream: true }));
        if (pending.length > 0) {
          const out = pending.length === 1 ? `data: ${pending[0]}\n\n` : pending.map((p) => `data: ${p}\n\n`).join("");
          pending = [];
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
