/**
 * @module
 * Streaming DLP for model responses. Text deltas arrive a few characters at a time, so an entity
 * can be split across chunks. The scanner releases at once all text that cannot be part of an
 * entity still being written, and holds back only a candidate: the tail that one recognizer says
 * could still become (or change) a span it would mask.
 *
 * How much is held back, and why it stays small and bounded:
 * - each recognizer declares a {@link HoldRule} (`<type>/hold.ts`): where at the end of the text
 *   a match could still start (a trailing run of digits for a card, the trailing word for an
 *   email's local part, the value after `api_key =` …), and a maximum it may hold;
 * - a candidate that scored just below the threshold is held while a context word that follows
 *   it could still raise it (`WINDOW_AFTER` chars: "… 432123456 (SSN)");
 * - only recognizers whose type the policy masks (redact, block) hold text: allowed and raised
 *   types change no text, they are only reported, so their findings are recorded from the
 *   released text kept as context;
 * - a span that will be masked and straddles the cut is held whole; nothing is held beyond
 *   `maxHoldBack` chars (default 1024): a masked span that outgrows it is masked as far as it has
 *   arrived and the rest of its token is dropped.
 * Prose with no candidate goes out in the push that brought it. Private-key blocks are longer
 * than any sensible hold: once a `BEGIN … PRIVATE KEY` header is seen (and SECRET is masked by
 * the policy), a single `[SECRET]` is emitted and everything up to the END line is dropped,
 * keeping only enough tail to recognise a split END line.
 *
 * Findings in a stream cannot block what was already sent: block-action types are masked like
 * redact ones and reported by `summary()`, so the caller can end the stream or flag the request.
 * `push` and `end` always return strings; if a recognizer ever threw, the scanner fails closed
 * (masks the text it would have emitted) rather than breaking the stream or leaking.
 */
import { decide, placeholder, redactSpans } from "./apply";
import { WINDOW_AFTER, WINDOW_BEFORE } from "./context";
import { holdRuleOf } from "./hold";
import type { CompiledDlpPolicy, RaiseClass } from "./policy";
import { runRecognizers } from "./scan";
import type { EntityType, Finding, Recognizer } from "./types";

export interface StreamScannerOptions {
  /** Chars always held back on top of what the hold rules keep. Default 0. */
  holdBack?: number;
  /** Upper bound on chars held back, whatever the content. Default 1024. */
  maxHoldBack?: number;
  /** Scan only once this many chars beyond `holdBack` are pending. Default 1: every delta. */
  minEmit?: number;
}

export interface StreamSummary {
  /** Distinct types found so far, in order of first occurrence. */
  types: EntityType[];
  /** Distinct block-action types found (masked in the output, but the stream carried them). */
  blocked: EntityType[];
  raiseTo?: RaiseClass;
}

export interface StreamScanner {
  /** Adds a delta; returns the text that is now safe to emit (possibly ""). */
  push(textDelta: string): string;
  /** Flushes everything held back; call once when the upstream stream ends. */
  end(): string;
  /** What was found so far (types only, never values). */
  summary(): StreamSummary;
}

/**
 * Raw text already emitted that is kept for the next scan: context words ("SSN: " before a held
 * number), the name of an assignment whose value is held, and reported-only types.
 */
const CONTEXT_CHARS = 64;
/** Bound on released text kept for open reported-only candidates (the longest hold, e-mail's). */
const MAX_OPEN_CHARS = 320;
const KEY_HEADER = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----/;

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/** True when the policy masks private-key blocks, which the scanner spots without a recognizer. */
function masksPrivateKeys(policy: CompiledDlpPolicy): boolean {
  return ["redact", "block"].includes(policy.actionFor("SECRET").action);
}

/**
 * True when a scanner for `policy` can neither change text nor find anything: DLP is off, or it
 * runs no recognizer and does not mask private-key blocks. Such a scanner only costs time, so a
 * caller may skip scanning altogether.
 */
export function scannerPassesThrough(policy: CompiledDlpPolicy): boolean {
  return !policy.enabled || (policy.recognizers.length === 0 && !masksPrivateKeys(policy));
}

/** True when the policy's action for `type` changes the text. */
function masks(policy: CompiledDlpPolicy, type: EntityType): boolean {
  return ["redact", "block"].includes(policy.actionFor(type).action);
}

/**
 * Creates a stateful scanner for one response stream.
 *
 * @example
 * const s = createStreamScanner(compileDlpPolicy());
 * const out = s.push("key: sk_live_4eC39Hq") + s.push("LyjWDarjtT1zdp7dc") + s.end();
 * // out === "key: [SECRET]"; s.summary().blocked → ["SECRET"]
 */
export function createStreamScanner(policy: CompiledDlpPolicy, options: StreamScannerOptions = {}): StreamScanner {
  const holdBack = Math.max(0, options.holdBack ?? 0);
  const minEmit = Math.max(1, options.minEmit ?? 1);
  const maxHoldBack = Math.max(holdBack + minEmit, options.maxHoldBack ?? 1024);
  const secretMasked = masksPrivateKeys(policy);
  const recognizers = policy.recognizers;
  const rules = recognizers.map(holdRuleOf);
  const masking = recognizers.map((r) => masks(policy, r.type));
  // Each scan runs every recognizer once; the overlap resolution replays those results, so the
  // hold decision can also look at candidates that scored below the threshold.
  const raw: Finding[][] = recognizers.map(() => []);
  const replay: Recognizer[] = recognizers.map((r, i) => ({ type: r.type, find: () => raw[i] }));
  let pending = "";
  let context = "";
  /** Chars at the end of `context` where reported-only candidates are still open (undecided). */
  let openChars = 0;
  /** The END line being waited for while a private key body is dropped, or null. */
  let keyEnd: string | null = null;
  /** True after a too-long masked token was cut: its remaining characters are dropped. */
  let skipToken = false;
  const types: EntityType[] = [];
  const blocked: EntityType[] = [];
  let raiseTo: RaiseClass | undefined;

  function record(found: readonly Finding[]): void {
    if (found.length === 0) return;
    for (const f of found) if (!types.includes(f.type)) types.push(f.type);
    const d = decide(policy, found);
    for (const t of d.blocked) if (!blocked.includes(t)) blocked.push(t);
    if (d.raiseTo !== undefined && raiseTo !== "restricted") raiseTo = d.raiseTo;
  }

  /** Drops a private key body; returns false while its END line has not arrived. */
  function skipKeyBody(final: boolean): boolean {
    if (keyEnd === null) return true;
    const at = pending.indexOf(keyEnd);
    if (at !== -1) {
      pending = pending.slice(at + keyEnd.length);
      keyEnd = null;
      return true;
    }
    // Keep just enough to find an END line split across chunks.
    pending = final ? "" : pending.slice(-(keyEnd.length - 1));
    return false;
  }

  /**
   * Emits `pending[0, cut)` with findings masked (and recorded), remembering context: at least
   * CONTEXT_CHARS, and all of a reported-only candidate still open from `reportFrom` (window
   * coordinates; unknown: all released text counts as open) with its context words, so that it
   * is whole when it is decided.
   */
  function emit(cut: number, findings: readonly Finding[], reportFrom?: number): string {
    const masked = findings.length > 0 ? decide(policy, findings.filter((f) => f.end <= cut)).masked : [];
    record(masked);
    const raw = pending.slice(0, cut);
    const end = context.length + cut;
    openChars = Math.min(MAX_OPEN_CHARS, reportFrom === undefined ? openChars + cut : Math.max(0, end - reportFrom));
    context = (context + raw).slice(-Math.max(CONTEXT_CHARS, openChars + WINDOW_BEFORE));
    pending = pending.slice(cut);
    return redactSpans(raw, masked);
  }

  /** At the end of the stream: records what the open reported-only candidates turned out to be. */
  function recordOpenTail(): void {
    if (openChars === 0 || context.length === 0) return;
    const settled = context.length - openChars;
    record(runRecognizers(context, recognizers, policy.minScore).filter((f) => f.end > settled));
    openChars = 0;
  }

  /** Drops the rest of a token whose masked start was already emitted; false while it goes on. */
  function skipTokenTail(final: boolean): boolean {
    if (!skipToken) return true;
    let i = 0;
    while (i < pending.length && !isSpace(pending.charCodeAt(i))) i++;
    pending = pending.slice(i);
    if (pending.length === 0 && !final) return false;
    skipToken = false;
    return true;
  }

  /**
   * Where, in `window`, each recognizer's rule says its undecided candidates start (`holdAt[i]`,
   * bounded by its maximum), and the earliest of these among the recognizers whose type the
   * policy masks: text from there on is held.
   */
  const holdAt: number[] = recognizers.map(() => 0);
  function ruleCut(window: string): number {
    let cut = window.length;
    for (let i = 0; i < recognizers.length; i++) {
      holdAt[i] = Math.max(rules[i].candidateStart(window), window.length - rules[i].maxHold);
      if (masking[i]) cut = Math.min(cut, holdAt[i]);
    }
    return cut;
  }

  /** Moves `holdAt` back for candidates just below the threshold that a following context word could raise. */
  function lowScoreCut(window: string, cut: number): number {
    for (let i = 0; i < recognizers.length; i++) {
      for (const f of raw[i]) {
        if (f.score >= policy.minScore || window.length - f.end >= WINDOW_AFTER || f.start >= holdAt[i]) continue;
        holdAt[i] = Math.max(f.start, window.length - rules[i].maxHold);
        if (masking[i]) cut = Math.min(cut, holdAt[i]);
      }
    }
    return cut;
  }

  /** True when no recognizer of `f`'s type could still change it. */
  function decided(f: Finding): boolean {
    for (let i = 0; i < recognizers.length; i++) if (recognizers[i].type === f.type && f.end > holdAt[i]) return false;
    return true;
  }

  function drain(final: boolean): string {
    let out = "";
    for (;;) {
      if (!skipKeyBody(final) || !skipTokenTail(final)) return out;
      if (pending.length === 0) {
        if (final) recordOpenTail();
        return out;
      }
      if (!final && pending.length < holdBack + minEmit) return out;

      const offset = context.length;
      const window = context + pending;
      // All that is pending is still a candidate: nothing to release, so no scan yet.
      const byRules = ruleCut(window);
      if (!final && byRules <= offset && pending.length <= maxHoldBack) return out;
      for (let i = 0; i < recognizers.length; i++) raw[i] = recognizers[i].find(window);
      const all = runRecognizers(window, replay, policy.minScore);
      // A span that began in released text (a hold rule missed its start, or it outgrew its
      // hold) is masked from the first char still held: better part of it than none.
      const findings: Finding[] = [];
      for (const f of all) {
        if (f.start >= offset) findings.push({ ...f, start: f.start - offset, end: f.end - offset });
        else if (f.end > offset && masks(policy, f.type)) findings.push({ ...f, start: 0, end: f.end - offset });
      }

      const header = secretMasked ? KEY_HEADER.exec(pending) : null;
      if (header !== null && !pending.includes(`-----END ${header[1]}-----`, header.index)) {
        const before = findings.filter((f) => f.end <= header.index);
        out += emit(header.index, before) + placeholder("SECRET");
        record([{ type: "SECRET", start: 0, end: header[0].length, score: 0.99 }]);
        pending = pending.slice(header[0].length);
        keyEnd = `-----END ${header[1]}-----`;
        continue;
      }
      // Findings ending before `settled` were decided, and recorded, in an earlier scan; a window
      // cut through them would show fragments (part of a card read as a phone number).
      const settled = offset - openChars;
      if (final) {
        record(all.filter((f) => f.end > settled));
        return out + emit(pending.length, findings);
      }

      const holdFrom = lowScoreCut(window, byRules);
      // Reported-only types are recorded once decided, wherever they started.
      if (all.length > 0) record(all.filter((f) => f.end > settled && decided(f)));
      let reportFrom = window.length;
      for (let i = 0; i < recognizers.length; i++) if (!masking[i]) reportFrom = Math.min(reportFrom, holdAt[i]);
      const floor = pending.length - maxHoldBack;
      let cut = Math.min(pending.length - holdBack, holdFrom - offset);
      // Only spans that will be masked must stay whole; allowed ones pass through unchanged anyway.
      const masked = findings.length > 0 ? decide(policy, findings).masked : [];
      for (let i = masked.length - 1; i >= 0; i--) {
        if (masked[i].start < cut && masked[i].end > cut) cut = masked[i].start;
      }
      if (cut < floor) {
        // A masked span longer than the bound is still growing: mask what has arrived and drop
        // the rest of its token as it comes, rather than hold without limit.
        const straddler = masked.find((f) => f.start < floor && f.end > floor);
        if (straddler !== undefined) {
          out += emit(straddler.end, findings, reportFrom);
          skipToken = true;
          continue;
        }
        cut = floor;
      }
      if (cut <= 0) return out;
      return out + emit(cut, findings, reportFrom);
    }
  }

  function safeDrain(final: boolean): string {
    try {
      return drain(final);
    } catch {
      // Fail closed: never emit unscanned text, never throw into the response stream.
      const dropped = final ? pending.length : Math.max(0, pending.length - holdBack);
      pending = pending.slice(dropped);
      return dropped > 0 ? "[REDACTED]" : "";
    }
  }

  return {
    push(textDelta: string): string {
      if (!policy.enabled) return textDelta;
      pending += textDelta;
      return safeDrain(false);
    },
    end(): string {
      return safeDrain(true);
    },
    summary(): StreamSummary {
      const s: StreamSummary = { types: [...types], blocked: [...blocked] };
      if (raiseTo !== undefined) s.raiseTo = raiseTo;
      return s;
    },
  };
}
