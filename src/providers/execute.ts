/**
 * @module
 * The one place that talks to upstreams. It runs one attempt against one target: build the
 * request with the adapter, send it (fetch or the adapter's own transport) under a per-attempt
 * timeout, and map the answer back. Each attempt runs two clocks: a TTFB deadline up to the first
 * byte (for a stream, its first chunk: until then it may still fail over) and the attempt timeout
 * over the whole answer. Streams are then piped by ./stream-pipe.ts, with response DLP riding
 * along as a per-chunk hook.
 */
import type { ChatCompletion, EmbeddingsResponse } from "../gateway/schemas";
import { pipeReader, type StreamSummary } from "./stream-pipe";
import type { ChatCall, EmbeddingsCall, ProviderAdapter, StreamChunkHook, TransportContext } from "./types";
import type { UpstreamError, UpstreamRequest } from "./types";

export { pipeStream, type PipeOptions, type StreamSummary } from "./stream-pipe";

export interface AttemptFailure {
  /** `ttfb_timeout`: no first byte (headers; for a stream, its first chunk) within the TTFB deadline. */
  kind: "timeout" | "ttfb_timeout" | "connection" | "status" | "malformed" | "unsupported";
  /** The deadline that cut the attempt, for a timeout (ms). */
  deadlineMs?: number;
  /** Upstream HTTP status, when there was one. */
  status?: number;
  retryAfterMs?: number;
  error: UpstreamError;
  /** True when trying again (or the next target) may succeed: 408/409/429/5xx, timeouts, connection errors. */
  retryable: boolean;
}

export type ChatAttempt =
  | { ok: true; kind: "json"; completion: ChatCompletion; ttfbMs: number }
  | { ok: true; kind: "stream"; body: ReadableStream<Uint8Array>; summary: Promise<StreamSummary>; ttfbMs: number }
  | { ok: false; failure: AttemptFailure };

export type EmbeddingsAttempt =
  | { ok: true; response: EmbeddingsResponse; ttfbMs: number }
  | { ok: false; failure: AttemptFailure };

export interface AttemptOptions {
  /** The whole attempt: up to the end of a JSON answer, up to the first chunk of a stream. */
  timeoutMs: number;
  /**
   * The wait for a first byte (response headers; for a stream, its first chunk), when shorter
   * than `timeoutMs`: a dead host is cut here (kind `ttfb_timeout`), not at the attempt timeout.
   */
  ttfbTimeoutMs?: number;
  /** Once a stream has started: the longest gap between upstream bytes before it is ended with an error. */
  idleTimeoutMs?: number;
  ai?: Ai;
  drill?: boolean;
  /** Aborts the attempt when the client goes away. */
  signal?: AbortSignal;
  /** Runs on every chunk of a streamed answer before it is serialised (response DLP). */
  chunkHook?: StreamChunkHook;
  now?: () => number;
}


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

/**
 * The two clocks of one attempt. The TTFB clock stops at the first byte; the attempt clock keeps
 * running through a JSON body. Either aborts the upstream call; `cut` says which one did.
 */
interface AttemptClock {
  controller: AbortController;
  cut: () => "ttfb" | "total" | undefined;
  /** First byte seen: the TTFB clock stops. */
  firstByte: () => void;
  /** Run when the TTFB clock fires as well as aborting (a pending first read to cancel). */
  onTtfb: (fn: () => void) => void;
  clear: () => void;
}

function startClock(opts: AttemptOptions): AttemptClock {
  const controller = new AbortController();
  const onClientAbort = () => controller.abort(new Error("client closed"));
  opts.signal?.addEventListener("abort", onClientAbort, { once: true });
  let cut: "ttfb" | "total" | undefined;
  let onTtfb: (() => void) | undefined;
  const total = setTimeout(() => {
    cut ??= "total";
    controller.abort(new Error("attempt timed out"));
  }, opts.timeoutMs);
  const ttfbMs = opts.ttfbTimeoutMs;
  let ttfb = ttfbMs !== undefined && ttfbMs < opts.timeoutMs
    ? setTimeout(() => {
        cut ??= "ttfb";
        controller.abort(new Error("no first byte in time"));
        onTtfb?.();
      }, ttfbMs)
    : undefined;
  const firstByte = () => {
    if (ttfb !== undefined) clearTimeout(ttfb);
    ttfb = undefined;
  };
  return {
    controller,
    cut: () => cut,
    firstByte,
    onTtfb: (fn) => void (onTtfb = fn),
    // The client listener stays: a client that leaves mid-stream still aborts the upstream call.
    clear: () => {
      firstByte();
      clearTimeout(total);
    },
  };
}

/** The failure of an attempt that one of its clocks cut. */
function timeoutFailure(cut: "ttfb" | "total", opts: AttemptOptions, what: string): AttemptFailure {
  const ms = cut === "ttfb" ? opts.ttfbTimeoutMs! : opts.timeoutMs;
  const message = cut === "ttfb" ? `no first byte within ${ms} ms (TTFB deadline)` : `${what} within ${ms} ms`;
  const kind = cut === "ttfb" ? "ttfb_timeout" : "timeout";
  return { kind, deadlineMs: ms, retryable: true, error: { message, type: "timeout_error", code: "upstream_timeout" } };
}

/** Sends one request under the attempt's clocks, up to the response headers. */
async function sendWithClock(
  adapter: ProviderAdapter,
  req: UpstreamRequest,
  call: { provider: TransportContext["provider"] },
  opts: AttemptOptions,
): Promise<{ response: Response; clock: AttemptClock } | { failure: AttemptFailure }> {
  const clock = startClock(opts);
  try {
    const ctx = { signal: clock.controller.signal, provider: call.provider, ai: opts.ai, drill: opts.drill ?? false };
    const response = await send(adapter, req, ctx);
    return { response, clock };
  } catch (err) {
    clock.clear();
    const cut = clock.cut();
    if (cut) return { failure: timeoutFailure(cut, opts, "no answer") };
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

type Sent = { response: Response; clock: AttemptClock; ttfbMs: number };

/**
 * Builds the upstream request and sends it with the attempt's timeout. A request this provider
 * cannot take (the map throws) is `unsupported`: a reason to try the next target, not an error.
 */
async function buildAndSend(
  adapter: ProviderAdapter,
  build: () => UpstreamRequest,
  call: { provider: TransportContext["provider"] },
  opts: AttemptOptions,
): Promise<Sent | { failure: AttemptFailure }> {
  const now = opts.now ?? Date.now;
  const started = now();
  let req: UpstreamRequest;
  try {
    req = build();
  } catch (err) {
    return { failure: unsupported(err instanceof Error ? err.message : "request not supported") };
  }
  const sent = await sendWithClock(adapter, req, call, opts);
  return "failure" in sent ? sent : { ...sent, ttfbMs: now() - started };
}

/**
 * Runs one chat-completion attempt against one target.
 * @example const a = await attemptChat(adapter, call, { timeoutMs: 30_000, ttfbTimeoutMs: 2_000 });
 */
export async function attemptChat(adapter: ProviderAdapter, call: ChatCall, opts: AttemptOptions): Promise<ChatAttempt> {
  const sent = await buildAndSend(adapter, () => adapter.chat.request(call), call, opts);
  if ("failure" in sent) return { ok: false, failure: sent.failure };
  const { response, clock } = sent;
  if (!response.ok) {
    clock.clear();
    return { ok: false, failure: await statusFailure(adapter, response) };
  }
  if (call.stream && response.body) {
    return startStream(adapter, call, { response, clock, opts, now: opts.now ?? Date.now, started: sent });
  }
  clock.firstByte();
  try {
    const body: unknown = await response.json();
    clock.clear();
    return { ok: true, kind: "json", completion: adapter.chat.response(body, call), ttfbMs: sent.ttfbMs };
  } catch (err) {
    clock.clear();
    const cut = clock.cut();
    return {
      ok: false,
      failure: cut
        ? timeoutFailure(cut, opts, "no complete answer")
        : { kind: "malformed", retryable: true, error: { message: err instanceof Error ? err.message : "malformed upstream answer", type: "upstream_error", code: "upstream_malformed" } },
    };
  }
}

/**
 * Waits for a stream's first chunk under the TTFB clock: headers alone do not prove a host is
 * generating (some send them at once and then hang). Until that chunk the attempt may still
 * fail over; from it on the stream belongs to the client and is never retried.
 */
async function startStream(
  adapter: ProviderAdapter,
  call: ChatCall,
  s: { response: Response; clock: AttemptClock; opts: AttemptOptions; now: () => number; started: { ttfbMs: number } },
): Promise<ChatAttempt> {
  const reader = s.response.body!.getReader();
  const headersAt = s.now();
  s.clock.onTtfb(() => void reader.cancel(new Error("no first chunk in time")).catch(() => {}));
  let first: ReadableStreamReadResult<Uint8Array> | undefined;
  let broke: unknown;
  try {
    first = await reader.read();
  } catch (err) {
    broke = err;
  }
  s.clock.clear();
  const cut = s.clock.cut();
  if (cut || !first) {
    void reader.cancel().catch(() => {});
    if (cut) return { ok: false, failure: timeoutFailure(cut, s.opts, "no first chunk") };
    const message = `upstream stream broke before its first chunk: ${broke instanceof Error ? broke.message : "read failed"}`;
    const error = { message, type: "upstream_error", code: "upstream_unreachable" };
    return { ok: false, failure: { kind: "connection", retryable: true, error } };
  }
  const ttfbMs = s.started.ttfbMs + (s.now() - headersAt);
  const piped = pipeReader(adapter, call, reader, s.opts.chunkHook, { first, idleTimeoutMs: s.opts.idleTimeoutMs });
  return { ok: true, kind: "stream", ttfbMs, ...piped };
}

/** Runs one embeddings attempt against one target. */
export async function attemptEmbeddings(adapter: ProviderAdapter, call: EmbeddingsCall, opts: AttemptOptions): Promise<EmbeddingsAttempt> {
  const embeddings = adapter.embeddings;
  if (!embeddings) {
    return { ok: false, failure: unsupported(`provider type ${adapter.type} has no embeddings`) };
  }
  const sent = await buildAndSend(adapter, () => embeddings.request(call), call, opts);
  if ("failure" in sent) return { ok: false, failure: sent.failure };
  const { response, clock, ttfbMs } = sent;
  clock.firstByte();
  try {
    if (!response.ok) return { ok: false, failure: await statusFailure(adapter, response) };
    const body: unknown = await response.json();
    return { ok: true, response: embeddings.response(body, call), ttfbMs };
  } catch (err) {
    const cut = clock.cut();
    if (cut) return { ok: false, failure: timeoutFailure(cut, opts, "no complete answer") };
    return { ok: false, failure: { kind: "malformed", retryable: true, error: { message: err instanceof Error ? err.message : "malformed upstream answer", type: "upstream_error", code: "upstream_malformed" } } };
  } finally {
    clock.clear();
  }
}
