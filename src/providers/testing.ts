/**
 * @module
 * Test helpers for provider adapters (used by the *.test.ts files beside each adapter): a provider
 * runtime, a chat call, fixture bytes as a ReadableStream split at chosen (awkward) offsets, and a
 * reader that turns the executor's OpenAI SSE output back into payloads.
 */
import type { ChatCompletionChunk, ChatCompletionRequest, EmbeddingsRequest } from "../gateway/schemas";
import { pipeStream, type StreamSummary } from "./execute";
import type { ChatCall, EmbeddingsCall, ProviderAdapter, ProviderRuntime } from "./types";

export function runtime(overrides: Partial<ProviderRuntime> = {}): ProviderRuntime {
  return { id: "p1", type: "openai-compatible", region: "us", options: {}, faults: { mode: "none" }, ...overrides };
}

export function chatCall(request: Partial<ChatCompletionRequest>, overrides: Partial<ChatCall> = {}): ChatCall {
  const req = { model: "catalog-model", messages: [{ role: "user" as const, content: "Hi" }], ...request } as ChatCompletionRequest;
  return { request: req, model: "upstream-model", provider: runtime(), stream: req.stream === true, ...overrides };
}

export function embeddingsCall(request: Partial<EmbeddingsRequest>, overrides: Partial<EmbeddingsCall> = {}): EmbeddingsCall {
  const req = { model: "catalog-embed", input: "hello", ...request } as EmbeddingsRequest;
  return { request: req, model: "upstream-embed", provider: runtime(), ...overrides };
}

/**
 * The UTF-8 bytes of `text` as a stream, cut at the given byte offsets, or every `every` bytes.
 * Offsets may fall inside a multi-byte character or a `\r\n`, which is the point.
 */
export function byteStream(text: string, cuts: number[] | { every: number }): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const offsets = Array.isArray(cuts) ? [...cuts].sort((a, b) => a - b) : Array.from({ length: Math.ceil(bytes.length / cuts.every) }, (_, i) => i * cuts.every).slice(1);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const at of [...offsets, bytes.length]) {
    if (at > start && at <= bytes.length) {
      pieces.push(bytes.slice(start, at));
      start = at;
    }
  }
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = pieces.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

/** A stream that yields `text` and then fails, as a dropped upstream connection does. */
export function brokenStream(text: string): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(new TextEncoder().encode(text));
      } else controller.error(new Error("connection reset"));
    },
  });
}

export async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

/** The `data:` payloads of an SSE text, in order. */
export function dataPayloads(sse: string): string[] {
  return sse
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice("data: ".length));
}

export interface StreamedResult {
  raw: string;
  payloads: string[];
  chunks: ChatCompletionChunk[];
  content: string;
  toolCalls: Array<{ id?: string; name: string; arguments: string }>;
  finishReasons: Array<string | null>;
  summary: StreamSummary;
}

/** Pipes fixture bytes through the real executor and collects what the client would see. */
export async function runStream(adapter: ProviderAdapter, call: ChatCall, upstream: ReadableStream<Uint8Array>): Promise<StreamedResult> {
  const { body, summary } = pipeStream(adapter, call, upstream);
  const raw = await readText(body);
  const payloads = dataPayloads(raw);
  const chunks = payloads.filter((p) => p !== "[DONE]").map((p) => JSON.parse(p) as ChatCompletionChunk);
  let content = "";
  const toolCalls: StreamedResult["toolCalls"] = [];
  const finishReasons: Array<string | null> = [];
  for (const chunk of chunks) {
    for (const choice of chunk.choices ?? []) {
      content += choice.delta.content ?? "";
      for (const t of choice.delta.tool_calls ?? []) {
        const slot = (toolCalls[t.index] ??= { name: "", arguments: "" });
        if (t.id) slot.id = t.id;
        if (t.function?.name) slot.name = t.function.name;
        slot.arguments += t.function?.arguments ?? "";
      }
      if (choice.finish_reason) finishReasons.push(choice.finish_reason);
    }
  }
  return { raw, payloads, chunks, content, toolCalls, finishReasons, summary: await summary };
}
