/**
 * @module
 * DLP for streamed answers without breaking the stream: a chunk hook the executor runs on each
 * `chat.completion.chunk` before serialising it (src/providers/execute.ts), so scanning costs no
 * second pass over the bytes. Every text field of a delta is its own stream: `content`,
 * `refusal`, `reasoning_content`, `reasoning`, each tool call's `function.arguments` (fragments
 * arrive per tool-call index) and legacy `function_call.arguments`, one DLP stream scanner per
 * (choice, field, tool-call index), so a secret split across fragments of one field is caught and
 * fragments of different fields never mix. Tool-call names arrive whole and are scanned as they
 * come. A scanner holds back only a candidate that could still become an entity, so some chunks
 * go out with less text than they came with, and a chunk whose text is all held is not sent at all
 * (never an empty content delta); held text goes out with a later chunk, the chunk that carries the
 * choice's `finish_reason`, or one extra chunk just before `[DONE]`. A chunk whose text was held or masked loses its `logprobs`
 * (they spell out the raw tokens). Block-action types cannot un-send what already went: they are
 * masked like redactions and reported for the usage event.
 */
import { createStreamScanner, scannerPassesThrough, type CompiledDlpPolicy, type StreamScanner } from "../dlp";
import type { ChatCompletionChunk } from "../gateway/schemas";
import type { StreamChunkHook } from "../providers/types";
import { DlpCollector, type DlpOutcome } from "./dlp-request";

type Choice = ChatCompletionChunk["choices"][number];
type Delta = Choice["delta"] & Record<string, unknown>;
type ToolCallDelta = NonNullable<Choice["delta"]["tool_calls"]>[number];

/** Delta fields that carry answer text, each scanned as a stream of its own. */
const TEXT_FIELDS = ["content", "refusal", "reasoning_content", "reasoning"] as const;

/** The scanners of one choice that still hold text (removed once flushed). */
interface ChoiceScanners {
  fields: Map<string, StreamScanner>;
  /** `tool_calls[i].function.arguments`, by tool-call index. */
  tools: Map<number, StreamScanner>;
  /** Legacy `function_call.arguments`. */
  functionCall?: StreamScanner;
}

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
  /** Every scanner ever made, for the outcome (flushed ones included). */
  const all: StreamScanner[] = [];
  /** Texts scanned whole (tool-call names). */
  const whole = new DlpCollector(policy);
  let text = "";
  let resolveDone!: (v: StreamDlpResult) => void;
  const done = new Promise<StreamDlpResult>((r) => (resolveDone = r));

  const outcome = (): DlpOutcome => {
    const o: DlpOutcome = { types: [], blocked: [], findings: 0 };
    const sums = all.map((s) => s.summary());
    sums.push(whole.outcome);
    for (const sum of sums) {
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

  const choices = new Map<number, ChoiceScanners>();
  const fresh = (): StreamScanner => {
    const s = createStreamScanner(policy);
    all.push(s);
    return s;
  };
  const scannersOf = (i: number): ChoiceScanners => {
    let c = choices.get(i);
    if (!c) choices.set(i, (c = { fields: new Map(), tools: new Map() }));
    return c;
  };
  /** The latest chunk: the template (id, model, created) for the closing chunk. */
  let last: ChatCompletionChunk | undefined;

  /** Runs one delta through the choice's scanners; returns the same object when nothing changed. */
  const scanDelta = (c: ChoiceScanners, d: Delta, index: number): Delta => {
    let out = d;
    for (const f of TEXT_FIELDS) {
      const v = d[f];
      if (typeof v !== "string") continue;
      let s = c.fields.get(f);
      if (!s) c.fields.set(f, (s = fresh()));
      const emitted = s.push(v);
      if (f === "content" && index === 0) text += emitted;
      if (emitted === v) continue;
      if (emitted === "") {
        // All of it is held: send no empty text field (clients count an empty delta as a token).
        const { [f]: _held, ...rest } = out;
        out = rest;
      } else out = { ...out, [f]: emitted };
    }
    if (Array.isArray(d.tool_calls)) {
      const calls = d.tool_calls.map((t, position) => scanToolCall(c, t, position));
      if (calls.some((t, i) => t !== d.tool_calls![i])) out = { ...out, tool_calls: calls };
    }
    const fc = d.function_call as { name?: unknown; arguments?: unknown } | undefined;
    if (fc && typeof fc === "object") {
      let next = fc;
      if (typeof fc.arguments === "string") {
        const emitted = (c.functionCall ??= fresh()).push(fc.arguments);
        if (emitted !== fc.arguments) next = { ...next, arguments: emitted };
      }
      const name = typeof fc.name === "string" ? whole.text(fc.name) : fc.name;
      if (name !== fc.name) next = { ...next, name };
      if (next !== fc) out = { ...out, function_call: next };
    }
    return out;
  };

  const scanToolCall = (c: ChoiceScanners, t: ToolCallDelta, position: number): ToolCallDelta => {
    const fn = t?.function;
    if (!fn) return t;
    let next = fn;
    if (typeof fn.arguments === "string") {
      const key = typeof t.index === "number" ? t.index : position;
      let s = c.tools.get(key);
      if (!s) c.tools.set(key, (s = fresh()));
      const emitted = s.push(fn.arguments);
      if (emitted !== fn.arguments) next = { ...next, arguments: emitted };
    }
    if (typeof fn.name === "string") {
      const name = whole.text(fn.name);
      if (name !== fn.name) next = { ...next, name };
    }
    return next === fn ? t : { ...t, function: next };
  };

  /** Appends what the choice's scanners still hold to `d` and forgets them. */
  const flush = (index: number, d: Delta): Delta => {
    const c = choices.get(index);
    if (!c) return d;
    choices.delete(index);
    let out = d;
    for (const [f, s] of c.fields) {
      const rest = s.end();
      if (!rest) continue;
      if (f === "content" && index === 0) text += rest;
      out = { ...out, [f]: (typeof out[f] === "string" ? (out[f] as string) : "") + rest };
    }
    for (const [toolIndex, s] of c.tools) {
      const rest = s.end();
      if (!rest) continue;
      const calls = [...(out.tool_calls ?? [])];
      const at = calls.findIndex((t) => t.index === toolIndex);
      if (at < 0) calls.push({ index: toolIndex, function: { arguments: rest } });
      else {
        const fn = calls[at].function;
        calls[at] = { ...calls[at], function: { ...fn, arguments: (fn?.arguments ?? "") + rest } };
      }
      out = { ...out, tool_calls: calls };
    }
    const rest = c.functionCall?.end();
    if (rest) {
      const fc = (out.function_call ?? {}) as { arguments?: string };
      out = { ...out, function_call: { ...fc, arguments: (fc.arguments ?? "") + rest } };
    }
    return out;
  };

  const hook: StreamChunkHook = {
    chunk(chunk) {
      last = chunk;
      let changed = false;
      let emptied = false;
      for (const ch of chunk.choices) {
        const index = ch.index ?? 0;
        const d = (ch.delta ?? {}) as Delta;
        let out = scanDelta(scannersOf(index), d, index);
        if (ch.finish_reason) out = flush(index, out);
        // Untouched deltas keep their object, so an upstream chunk can go out as it came.
        if (out !== d) {
          ch.delta = out;
          const withLogprobs = ch as Choice & { logprobs?: unknown };
          if (withLogprobs.logprobs) withLogprobs.logprobs = null;
          changed = true;
          emptied ||= Object.keys(out).length === 0 && !ch.finish_reason;
        }
      }
      // A choice left with nothing to say is dropped; a chunk left with no choice is not sent.
      if (emptied) chunk.choices = chunk.choices.filter((ch) => ch.finish_reason || Object.keys(ch.delta ?? {}).length > 0);
      return changed;
    },
    end() {
      // What the scanners still hold (choices that never sent a finish_reason), as one chunk.
      const rest: ChatCompletionChunk["choices"] = [];
      for (const index of [...choices.keys()]) {
        const delta = flush(index, {});
        if (Object.keys(delta).length) rest.push({ index, delta, finish_reason: null });
      }
      resolveDone(snapshot());
      return last && rest.length ? { ...last, choices: rest, usage: undefined } : undefined;
    },
  };
  return { hook, done, snapshot };
}
