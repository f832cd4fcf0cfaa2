/**
 * @module
 * DLP for streamed answers without breaking the stream: a TransformStream over the client-facing
 * SSE body that runs the DLP stream scanner on `delta.content` of each choice. The scanner holds
 * back a short tail (a secret may be split across chunks), so some chunks go out with less text
 * than they came with; held text is flushed into the chunk that carries the choice's
 * `finish_reason`, or into one extra chunk just before `[DONE]`. Block-action types cannot
 * un-send what already went: they are masked like redactions and reported for the usage event.
 */
import { createStreamScanner, type CompiledDlpPolicy, type StreamScanner } from "../dlp";
import type { ChatCompletionChunk } from "../gateway/schemas";
import type { DlpOutcome } from "./dlp-request";

export interface ScannedStream {
  readable: ReadableStream<Uint8Array>;
  /** Resolves when the stream ended: findings and the text the client received (choice 0). */
  done: Promise<{ outcome: DlpOutcome; text: string }>;
  /** What was found and sent so far (for a stream the client abandoned, whose flush never runs). */
  snapshot(): { outcome: DlpOutcome; text: string };
}

const encoder = new TextEncoder();

/**
 * Wraps an OpenAI SSE body. Non-JSON events and `[DONE]` pass through unchanged.
 * @example const s = scanSseStream(policy, value.body); return new Response(s.readable, ...)
 */
export function scanSseStream(policy: CompiledDlpPolicy, body: ReadableStream<Uint8Array>): ScannedStream {
  const scanners = new Map<number, StreamScanner>();
  const scannerFor = (i: number) => {
    let s = scanners.get(i);
    if (!s) scanners.set(i, (s = createStreamScanner(policy)));
    return s;
  };
  const decoder = new TextDecoder();
  let buffer = "";
  let text = "";
  let last: ChatCompletionChunk | undefined;
  let resolveDone!: (v: { outcome: DlpOutcome; text: string }) => void;
  const done = new Promise<{ outcome: DlpOutcome; text: string }>((r) => (resolveDone = r));

  const outcome = (): DlpOutcome => {
    const o: DlpOutcome = { types: [], blocked: [], findings: 0 };
    for (const s of scanners.values()) {
      const sum = s.summary();
      for (const t of sum.types) if (!o.types.includes(t)) (o.types.push(t), o.findings++);
      for (const b of sum.blocked) if (!o.blocked.includes(b)) o.blocked.push(b);
      if (sum.raiseTo && o.raiseTo !== "restricted") o.raiseTo = sum.raiseTo;
    }
    return o;
  };

  /** Flushes what scanners still hold, as one extra chunk (or nothing). */
  const flushAll = (): string => {
    if (!last) return "";
    const choices: ChatCompletionChunk["choices"] = [];
    for (const [index, s] of scanners) {
      const rest = s.end();
      if (rest) {
        if (index === 0) text += rest;
        choices.push({ index, delta: { content: rest }, finish_reason: null });
      }
    }
    return choices.length ? `data: ${JSON.stringify({ ...last, choices, usage: undefined })}\n\n` : "";
  };

  const handleEvent = (event: string): string => {
    const data = event.startsWith("data:") ? event.slice(5).trimStart() : null;
    if (data === null) return `${event}\n\n`;
    if (data === "[DONE]") return `${flushAll()}data: [DONE]\n\n`;
    let chunk: ChatCompletionChunk;
    try {
      chunk = JSON.parse(data) as ChatCompletionChunk;
    } catch {
      return `${event}\n\n`;
    }
    if (!Array.isArray(chunk.choices)) return `${event}\n\n`;
    last = chunk;
    for (const ch of chunk.choices) {
      const s = scannerFor(ch.index ?? 0);
      let out = typeof ch.delta?.content === "string" ? s.push(ch.delta.content) : "";
      if (ch.finish_reason) out += s.end();
      if (typeof ch.delta?.content === "string" || out) {
        ch.delta = { ...ch.delta, content: out };
        if ((ch.index ?? 0) === 0) text += out;
      }
    }
    return `data: ${JSON.stringify(chunk)}\n\n`;
  };

  const transform = new TransformStream<Uint8Array, Uint8Array>({
    transform(bytes, controller) {
      buffer += decoder.decode(bytes, { stream: true });
      let out = "";
      let at: number;
      while ((at = buffer.indexOf("\n\n")) !== -1) {
        const event = buffer.slice(0, at).replace(/\r/g, "");
        buffer = buffer.slice(at + 2);
        if (event.trim()) out += handleEvent(event.trim());
      }
      if (out) controller.enqueue(encoder.encode(out));
    },
    flush(controller) {
      let out = buffer.trim() ? handleEvent(buffer.trim()) : "";
      out += flushAll();
      if (out) controller.enqueue(encoder.encode(out));
      resolveDone({ outcome: outcome(), text });
    },
  });
  return { readable: body.pipeThrough(transform), done, snapshot: () => ({ outcome: outcome(), text }) };
}
