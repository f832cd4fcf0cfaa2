/**
 * @module
 * The one contract every chat-shaped ingress implements (DESIGN §2: one request pipeline). An
 * ingress is pure mapping, like a provider adapter seen from the other side: it parses its wire
 * request into the pipeline's internal (OpenAI chat) request, and maps the pipeline's answers —
 * a JSON completion, the stream of chunks, an error — back into its wire format. Every guardrail
 * runs once, in src/gateway/chat.ts, whichever ingress the request came through.
 */
import type { z } from "zod";
import type { GatewayError } from "../errors/openai";
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from "../gateway/schemas";
import type { StreamErrorPayload } from "../providers/types";

/** Stateful per-stream encoder: OpenAI chunks in, the wire's SSE text out (may be empty). */
export interface WireStreamEncoder {
  chunk(chunk: ChatCompletionChunk): string;
  /** An error payload mid-stream (upstream broke off, or response DLP stopped it). */
  error(error: StreamErrorPayload["error"]): string;
  /** The internal stream ended (`[DONE]`, or its end without one): the wire's closing events. */
  end(): string;
}

export interface ChatIngress {
  /** Recorded in the usage event's detail and on the trace (`switchyard.ingress`). */
  readonly name: "chat.completions" | "anthropic.messages" | "openai.responses";
  /** Parses the wire body and maps it to the internal chat request; issues become a 400. */
  readonly request: z.ZodType<ChatCompletionRequest>;
  /** The wire's JSON answer for a finished completion. */
  json(completion: ChatCompletion, request: ChatCompletionRequest): unknown;
  /** The wire's stream encoder; absent when the internal chunks are the wire format. */
  stream?(request: ChatCompletionRequest): WireStreamEncoder;
  /** The wire's error answer. */
  error(err: GatewayError, headers: Record<string, string>): Response;
}

/** One SSE frame with an `event:` line, as Anthropic and the Responses API send them. */
export function sseEvent(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}
