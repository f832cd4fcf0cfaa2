/**
 * @module
 * How the simulated provider paces an answer, from its provider `options` (strings, like every
 * provider option): `reply_tokens` — answer length in tokens (words) before `max_tokens` applies,
 * default 12; `tokens_per_second` — generation speed, default 0 (no pacing: the whole answer at
 * once). With a rate, a stream sends its role chunk and first token at once and each further token
 * 1/rate s later, and a JSON answer arrives after the time its tokens take, so time to first token
 * and total time behave like a real model's.
 */

export const DEFAULT_REPLY_TOKENS = 12;
const MAX_REPLY_TOKENS = 100_000;
const MAX_TOKENS_PER_SECOND = 100_000;

export interface Pace {
  /** Tokens the model would write if nothing stopped it. */
  replyTokens: number;
  /** Milliseconds between tokens; 0 when unpaced. */
  tokenIntervalMs: number;
}

function positiveInt(value: string | undefined, max: number): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  const n = Number(value);
  return n > 0 ? Math.min(n, max) : undefined;
}

/**
 * Reads the pace from provider options; malformed values fall back to the defaults.
 * @example
 * paceFrom({ reply_tokens: "200", tokens_per_second: "50" }) // { replyTokens: 200, tokenIntervalMs: 20 }
 */
export function paceFrom(options: Readonly<Record<string, string>>): Pace {
  const replyTokens = positiveInt(options.reply_tokens, MAX_REPLY_TOKENS) ?? DEFAULT_REPLY_TOKENS;
  const rate = positiveInt(options.tokens_per_second, MAX_TOKENS_PER_SECOND);
  return { replyTokens, tokenIntervalMs: rate === undefined ? 0 : 1000 / rate };
}

/**
 * A byte stream of `frames`: the first `immediate` at once, each further one `intervalMs` after
 * the previous. Cancelling it (the client went away) stops the timer.
 */
export function pacedStream(frames: readonly Uint8Array[], immediate: number, intervalMs: number): ReadableStream<Uint8Array> {
  let next = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (next >= immediate && intervalMs > 0) await new Promise<void>((r) => (timer = setTimeout(r, intervalMs)));
      if (next < frames.length) controller.enqueue(frames[next++]);
      if (next >= frames.length) controller.close();
    },
    cancel() {
      clearTimeout(timer);
    },
  }, { highWaterMark: 0 });
}
