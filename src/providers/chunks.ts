/**
 * @module
 * Shared pieces for adapters that translate a non-OpenAI wire format: a builder that writes
 * OpenAI `chat.completion.chunk` objects in the order OpenAI sends them (role, deltas, finish,
 * optional usage), and small helpers for message content, tool arguments and token estimates.
 * Keeping the chunk order in one place is what makes every provider's stream look the same to
 * the client and to the gateway's accounting.
 */
import type { ChatCompletionChunk, ChatCompletionRequest, ChatMessage, Usage } from "../gateway/schemas";
import type { ChatCall, SseEvent, StreamErrorPayload, StreamPayload, StreamTransformer, UpstreamError } from "./types";

type Delta = ChatCompletionChunk["choices"][number]["delta"];

/** Unix seconds, as OpenAI's `created`. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Rough token count (about four characters a token) for providers that report none. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** The text of a message's content: a string as is, text parts joined, anything else dropped. */
export function contentText(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (part.type === "text" && typeof part.text === "string" ? part.text : ""))
    .join("");
}

/**
 * Parses tool-call arguments into an object. Models sometimes emit invalid or non-object JSON;
 * providers that need an object get the raw text wrapped rather than a failed request.
 */
export function parseArguments(args: string): Record<string, unknown> {
  if (args.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(args);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    return { value: parsed };
  } catch {
    return { raw: args };
  }
}

/** Splits a `data:` image URL into media type and base64 payload; undefined for other URLs. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return m ? { mediaType: m[1], data: m[2] } : undefined;
}

/** The `{"error":{...}}` payload the OpenAI SDKs raise on when it arrives mid-stream. */
export function errorPayload(error: UpstreamError): StreamErrorPayload {
  return { error: { ...error, param: null } };
}

/** True when the client asked for the trailing usage chunk. */
export function wantsUsage(request: ChatCompletionRequest): boolean {
  return request.stream_options?.include_usage === true;
}

/**
 * Writes OpenAI chunks for one streamed completion. Provider transformers call `content`,
 * `toolCall`, `finish`, `setUsage` and `fail` as their events arrive and hand `take()` back to
 * the executor; `close()` adds the finish and usage chunks an upstream never sent.
 */
export class ChunkWriter {
  id: string;
  model: string;
  readonly created = nowSeconds();
  private pending: StreamPayload[] = [];
  private started = new Set<number>();
  private finished = new Map<number, string>();
  private lastFinish: string | null = null;
  private usageSeen: Usage | undefined;
  private textSoFar = "";
  private failure: UpstreamError | undefined;
  private closed = false;

  constructor(
    private readonly call: ChatCall,
    id?: string,
  ) {
    this.id = id ?? `chatcmpl-${crypto.randomUUID()}`;
    this.model = call.model;
  }

  private emit(index: number, delta: Delta, finish: string | null = null): void {
    if (!this.started.has(index)) {
      // OpenAI's first chunk of each choice carries the role; clients key the message off it.
      this.started.add(index);
      delta = { role: "assistant", ...delta };
      if (delta.content === undefined && !delta.tool_calls) delta.content = "";
    }
    const chunk: ChatCompletionChunk = {
      id: this.id,
      object: "chat.completion.chunk",
      created: this.created,
      model: this.model,
      choices: [{ index, delta, finish_reason: finish }],
    };
    this.pending.push(chunk);
  }

  /** Announces the assistant turn (an empty content delta with the role). */
  begin(index = 0): void {
    if (!this.started.has(index)) this.emit(index, {});
  }

  content(text: string, index = 0): void {
    if (text === "") return;
    this.textSoFar += text;
    this.emit(index, { content: text });
  }

  /** A tool call's first delta (`id` and `name` set) or a later arguments fragment. */
  toolCall(toolIndex: number, part: { id?: string; name?: string; arguments: string }, index = 0): void {
    this.textSoFar += part.arguments;
    const fn = part.name !== undefined ? { name: part.name, arguments: part.arguments } : { arguments: part.arguments };
    const call = part.id !== undefined ? { index: toolIndex, id: part.id, type: "function" as const, function: fn } : { index: toolIndex, function: fn };
    this.emit(index, { tool_calls: [call] });
  }

  /** Ends one choice with an OpenAI finish reason; later calls for that choice are ignored. */
  finish(reason: string, index = 0): void {
    if (this.finished.has(index)) return;
    this.begin(index);
    this.finished.set(index, reason);
    this.lastFinish = reason;
    this.emit(index, {}, reason);
  }

  setUsage(usage: Usage): void {
    this.usageSeen = usage;
  }

  /** Records an upstream error event and forwards it as the error payload OpenAI SDKs raise. */
  fail(error: UpstreamError): void {
    if (this.failure) return;
    this.failure = error;
    this.pending.push(errorPayload(error));
  }

  hasFinished(index = 0): boolean {
    return this.finished.has(index);
  }

  failed(): boolean {
    return this.failure !== undefined;
  }

  /**
   * Ends the stream: a usage chunk when the client asked for one. `complete` says whether the
   * upstream reached its own end marker; a stream that stops short is reported as an error
   * rather than passed off as a finished answer.
   */
  close(complete: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (!complete && !this.failure) {
      this.fail({ message: "upstream stream ended before the completion finished", type: "upstream_error", code: "stream_truncated" });
    }
    if (complete) for (const index of this.started) if (!this.finished.has(index)) this.finish("stop", index);
    if (this.usageSeen && wantsUsage(this.call.request) && !this.failure) {
      const chunk: ChatCompletionChunk = { id: this.id, object: "chat.completion.chunk", created: this.created, model: this.model, choices: [], usage: this.usageSeen };
      this.pending.push(chunk);
    }
  }

  /** The payloads written since the last call, as objects: the executor serialises them. */
  take(): StreamPayload[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** The StreamTransformer view the executor reads. */
  transformer(onEvent: (event: SseEvent) => void, onEnd: () => void): StreamTransformer {
    return {
      push: (event) => {
        onEvent(event);
        return this.take();
      },
      end: () => {
        onEnd();
        return this.take();
      },
      usage: () => this.usageSeen,
      text: () => this.textSoFar,
      finishReason: () => this.lastFinish,
      error: () => this.failure,
    };
  }
}

/** Parses an SSE data payload as a JSON object; undefined for anything else. */
export function parseEventJson(event: SseEvent): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(event.data);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
