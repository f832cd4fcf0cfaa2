/**
 * @module
 * DLP for streamed answers without breaking the stream: a chunk hook the executor runs on each
 * `chat.completion.chunk` before serialising it (src/providers/execute.ts), so scanning costs no
 * second pass over the bytes. It runs the DLP stream scanner on `delta.content` of each choice.
 * The scanner holds back only a candidate that could still become an entity (a secret may be split
 * across chunks), so some chunks go out with less text than they came with, and a chunk whose
 * text is all held is not sent at all (never an empty content delta); held text goes out with a
 * later chunk, the chunk that carries the choice's `finish_reason`, or one extra chunk just before
 * `[DONE]`. Block-action types
 * cannot un-send what already went: they are masked like redactions and reported for the usage
 * event.
 */
import { createStreamScanner, scannerPassesThrough, type CompiledDlpPolicy, type StreamScanner } from "../dlp";
import type { ChatCompletionChunk } from "../gateway/schemas";
import type { StreamChunkHook } from "../providers/types";
import type { DlpOutcome } from "./dlp-request";

export interface StreamDlpResult {
  outcome: DlpOutcome;
  /** The content of choice 0 as the client received it. */
  text: string;
}

export interface StreamDlp {
  /** Hand to `attemptChat` as `chunkHook`; the executor calls it chunk by chunk. */
  hook: StreamChunkHook;
  /** Resolves when the stream ended (the hook's `end` ran): findings and the text sent. */
  done: Promise<StreamDlpResult>;
  /** What was found and sent so far (for a stream the client abandoned, whose end never runs). */
  snapshot(): StreamDlpResult;
}

/**
 * Response DLP for one streamed answer. Chunks without a `choices` array never reach the hook
 * (the executor passes them by), and `[DONE]` is the executor's to send.
 * @example
 * const dlp = streamDlp(policy);
 * const a = await attemptChat(adapter, call, { timeoutMs, chunkHook: dlp.hook });
 */
export function streamDlp(policy: CompiledDlpPolicy): StreamDlp {
  const scanners = new Map<number, StreamScanner>();
  let text = "";
  let resolveDone!: (v: StreamDlpResult) => void;
  const done = new Promise<StreamDlpResult>((r) => (resolveDone = r));

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
  const snapshot = (): StreamDlpResult => ({ outcome: outcome(), text });

  if (scannerPassesThrough(policy)) {
    // Nothing can be found or masked: skip the scanner and its hold-back, keep only the text.
    const hook: StreamChunkHook = {
      chunk(chunk) {
        for (const ch of chunk.choices) {
          if ((ch.index ?? 0) === 0 && typeof ch.delta?.content === "string") text += ch.delta.content;
        }
        return false;
      },
      end() {
        resolveDone(snapshot());
        return undefined;
      },
    };
    return { hook, done, snapshot };
  }

  const scannerFor = (i: number) => {
    let s = scanners.get(i);
    if (!s) scanners.set(i, (s = createStreamScanner(policy)));
    return s;
  };
  /** The latest chunk: the template (id, model, created) for the closing chunk. */
  let last: ChatCompletionChunk | undefined;

  const hook: StreamChunkHook = {
    chunk(chunk) {
      last = chunk;
      let changed = false;
      let emptied = false;
      for (const ch of chunk.choices) {
        const index = ch.index ?? 0;
        const content = ch.delta?.content;
        const s = scannerFor(index);
        let out = typeof content === "string" ? s.push(content) : "";
        if (ch.finish_reason) out += s.end();
        if (typeof content === "string" || out) {
          // Untouched deltas keep their object, so an upstream chunk can go out as it came.
          if (out !== content) {
            changed = true;
            if (out === "") {
              // All of it is held: send no empty content delta (clients count them as tokens).
              const { content: _held, ...rest } = ch.delta;
              ch.delta = rest;
              emptied ||= Object.keys(rest).length === 0 && !ch.finish_reason;
            } else ch.delta = { ...ch.delta, content: out };
          }
          if (index === 0) text += out;
        }
      }
      // A choice left with nothing to say is dropped; a chunk left with no choice is not sent.
      if (emptied) chunk.choices = chunk.choices.filter((ch) => ch.finish_reason || Object.keys(ch.delta ?? {}).length > 0);
      return changed;
    },
    end() {
      // What the scanners still hold (choices that never sent a finish_reason), as one chunk.
      const choices: ChatCompletionChunk["choices"] = [];
      for (const [index, s] of scanners) {
        const rest = s.end();
        if (rest) {
          if (index === 0) text += rest;
          choices.push({ index, delta: { content: rest }, finish_reason: null });
        }
      }
      resolveDone(snapshot());
      return last && choices.length ? { ...last, choices, usage: undefined } : undefined;
    },
  };
  return { hook, done, snapshot };
}
