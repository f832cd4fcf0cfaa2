/**
 * @module
 * Pipes an upstream SSE body to the client through a pull-based ReadableStream, so each upstream
 * event reaches the client as soon as it is read: no buffering, no re-chunking. Response DLP rides
 * along as a per-chunk hook in that same pass, so each chunk is parsed and serialised once. An
 * upstream that goes quiet mid-stream is ended after the idle gap with an error event, never left
 * hanging.
 */
import type { ChatCompletionChunk, Usage } from "../gateway/schemas";
import { SseParser } from "./sse";
import type { ChatCall, ProviderAdapter, StreamChunkHook, StreamPayload, StreamTransformer, UpstreamError } from "./types";

const encoder = new TextEncoder();

export interface StreamSummary {
  usage?: Usage;
  text: string;
  finishReason: string | null;
  /** Set when the upstream broke off mid-stream or the client went away. */
  error?: UpstreamError;
  clientClosed: boolean;
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

export interface PipeOptions {
  /** A first read already taken from the reader (the executor reads it under the TTFB clock). */
  first?: ReadableStreamReadResult<Uint8Array>;
  /** Longest wait for the next upstream bytes; past it the stream ends with a `stream_idle_timeout` error event. */
  idleTimeoutMs?: number;
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
  opts: PipeOptions = {},
): { body: ReadableStream<Uint8Array>; summary: Promise<StreamSummary> } {
  return pipeReader(adapter, call, upstream.getReader(), hook, opts);
}

/**
 * Ends reads that wait longer than `ms` for the upstream. One timer per stream, not per chunk: it
 * wakes every `ms` and cancels the reader only when a read has been pending that long (a client
 * that reads slowly is not an idle upstream).
 */
function idleWatch(reader: ReadableStreamDefaultReader<Uint8Array>, ms: number | undefined) {
  let readSince: number | undefined;
  let fired = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    const waited = readSince === undefined ? 0 : Date.now() - readSince;
    if (waited >= ms!) {
      fired = true;
      void reader.cancel(new Error("upstream idle")).catch(() => {});
      return;
    }
    timer = setTimeout(check, ms! - waited);
  };
  if (ms !== undefined) timer = setTimeout(check, ms);
  return {
    reading: () => void (readSince = Date.now()),
    read: () => void (readSince = undefined),
    fired: () => fired,
    stop: () => clearTimeout(timer),
  };
}

export function pipeReader(
  adapter: ProviderAdapter,
  call: ChatCall,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  hook: StreamChunkHook | undefined,
  opts: PipeOptions,
): { body: ReadableStream<Uint8Array>; summary: Promise<StreamSummary> } {
  const transformer = adapter.chat.stream(call);
  const decoder = new TextDecoder();
  const idle = idleWatch(reader, opts.idleTimeoutMs);
  let first = opts.first;
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
  const finish = (error?: UpstreamError, clientClosed = false) => {
    idle.stop();
    resolveSummary({
      usage: transformer.usage(),
      text: transformer.text(),
      finishReason: transformer.finishReason(),
      // A read failure wins; otherwise an error the upstream reported inside the stream.
      error: error ?? transformer.error?.(),
      clientClosed,
    });
  };
  // The stream ends with an error event: what the hook still holds was scanned text the client
  // is owed, so it follows the error.
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: UpstreamError) => {
    controller.enqueue(encoder.encode(`${pending}data: ${JSON.stringify({ error })}\n\n${closing()}`));
    pending = "";
    controller.close();
    finish(error);
  };
  const next = async (): Promise<ReadableStreamReadResult<Uint8Array>> => {
    if (first) {
      const f = first;
      first = undefined;
      return f;
    }
    idle.reading();
    try {
      return await reader.read();
    } finally {
      idle.read();
    }
  };

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Read until at least one event is ready, then hand it on immediately.
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await next();
        } catch (err) {
          const message = `upstream stream broke: ${err instanceof Error ? err.message : "read failed"}`;
          return fail(controller, { message, type: "upstream_error", code: "stream_interrupted" });
        }
        if (chunk.done && idle.fired()) {
          const message = `upstream sent nothing for ${opts.idleTimeoutMs} ms; the stream was ended`;
          return fail(controller, { message, type: "timeout_error", code: "stream_idle_timeout" });
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
