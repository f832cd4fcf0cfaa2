/**
 * @module
 * Streaming DLP for model responses. Text deltas arrive a few characters at a time, so a secret
 * can be split across chunks; the scanner holds back a tail window and emits only text that can
 * no longer become part of a finding.
 *
 * How much is held back, and why it stays bounded:
 * - the last `holdBack` chars (default 128: longer than any phone, card, IBAN or SSN and most
 *   API keys), plus up to `minEmit` (16) chars collected before the next scan;
 * - plus, when the cut would fall inside a run of non-space characters, the rest of that run
 *   (long tokens such as OpenAI project keys or JWTs are one run) — but never more than
 *   `maxHoldBack` chars (default 1024) in total;
 * - a span that will be masked and straddles the cut is held whole; one that outgrows
 *   `maxHoldBack` is masked as far as it has arrived and the rest of its token is dropped.
 * Private-key blocks are longer than any sensible window: once a `BEGIN … PRIVATE KEY` header
 * is seen (and SECRET is masked by the policy), a single `[SECRET]` is emitted and everything up
 * to the END line is dropped, keeping only enough tail to recognise a split END line.
 *
 * Findings in a stream cannot block what was already sent: block-action types are masked like
 * redact ones and reported by `summary()`, so the caller can end the stream or flag the request.
 * `push` and `end` always return strings; if a recognizer ever threw, the scanner fails closed
 * (masks the text it would have emitted) rather than breaking the stream or leaking.
 */
import { decide, placeholder, redactSpans } from "./apply";
import type { CompiledDlpPolicy, RaiseClass } from "./policy";
import { runRecognizers } from "./scan";
import type { EntityType, Finding } from "./types";

export interface StreamScannerOptions {
  /** Chars always held back. Default 128. */
  holdBack?: number;
  /** Upper bound on chars held back, whatever the content. Default 1024. */
  maxHoldBack?: number;
  /**
   * Scan only once this many chars beyond `holdBack` are pending. Deltas are often a few chars;
   * rescanning the window for each would cost a full scan per token. Default 16.
   */
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

/** Raw text already emitted that is kept for context words ("SSN: " before a held number). */
const CONTEXT_CHARS = 64;
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
 * runs no recognizer and does not mask private-key blocks. Such a scanner only delays text (it
 * still holds back its tail), so a caller may skip scanning altogether.
 */
export function scannerPassesThrough(policy: CompiledDlpPolicy): boolean {
  return !policy.enabled || (policy.recognizers.length === 0 && !masksPrivateKeys(policy));
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
  const holdBack = Math.max(0, options.holdBack ?? 128);
  const minEmit = Math.max(1, options.minEmit ?? 16);
  const maxHoldBack = Math.max(holdBack + minEmit, options.maxHoldBack ?? 1024);
  const secretMasked = masksPrivateKeys(policy);
  let pending = "";
  let context = "";
  /** The END line being waited for while a private key body is dropped, or null. */
  let keyEnd: string | null = null;
  /** True after a too-long masked token was cut: its remaining characters are dropped. */
  let skipToken = false;
  const types: EntityType[] = [];
  const blocked: EntityType[] = [];
  let raiseTo: RaiseClass | undefined;

  function record(found: readonly Finding[]): void {
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

  /** Emits `pending[0, cut)` with findings masked, remembering context. */
  function emit(cut: number, findings: readonly Finding[]): string {
    const done = findings.filter((f) => f.end <= cut);
    record(done);
    const raw = pending.slice(0, cut);
    const masked = decide(policy, done).masked;
    context = (context + raw).slice(-CONTEXT_CHARS);
    pending = pending.slice(cut);
    return redactSpans(raw, masked);
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

  function drain(final: boolean): string {
    let out = "";
    for (;;) {
      if (!skipKeyBody(final) || !skipTokenTail(final)) return out;
      if (pending.length === 0) return out;
      if (!final && pending.length < holdBack + minEmit) return out;

      const offset = context.length;
      const all = runRecognizers(context + pending, policy.recognizers, policy.minScore);
      // Spans that began in already-emitted text cannot be masked any more; ignore them.
      const findings = all
        .filter((f) => f.start >= offset)
        .map((f) => ({ ...f, start: f.start - offset, end: f.end - offset }));

      const header = secretMasked ? KEY_HEADER.exec(pending) : null;
      if (header !== null && !pending.includes(`-----END ${header[1]}-----`, header.index)) {
        const before = findings.filter((f) => f.end <= header.index);
        out += emit(header.index, before) + placeholder("SECRET");
        record([{ type: "SECRET", start: 0, end: header[0].length, score: 0.99 }]);
        pending = pending.slice(header[0].length);
        keyEnd = `-----END ${header[1]}-----`;
        continue;
      }
      if (final) return out + emit(pending.length, findings);

      const floor = pending.length - maxHoldBack;
      let cut = pending.length - holdBack;
      // Do not split a run of non-space characters: it may be one long token.
      while (cut > Math.max(0, floor) && !isSpace(pending.charCodeAt(cut - 1)) && !isSpace(pending.charCodeAt(cut))) cut--;
      if (floor > 0 && cut === floor) cut = pending.length - holdBack; // a run too long to hold: split it
      // Only spans that will be masked must stay whole; allowed ones pass through unchanged anyway.
      const masked = decide(policy, findings).masked;
      for (let i = masked.length - 1; i >= 0; i--) {
        if (masked[i].start < cut && masked[i].end > cut) cut = masked[i].start;
      }
      if (cut < floor) {
        // A masked span longer than the bound is still growing: mask what has arrived and drop
        // the rest of its token as it comes, rather than hold without limit.
        const straddler = masked.find((f) => f.start < floor && f.end > floor);
        if (straddler !== undefined) {
          out += emit(straddler.end, findings);
          skipToken = true;
          continue;
        }
        cut = floor;
      }
      if (cut <= 0) return out;
      return out + emit(cut, findings);
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
