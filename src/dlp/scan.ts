/**
 * @module
 * Runs recognizers over a text and resolves overlaps: of two overlapping findings the higher
 * score wins, then the longer span, then the recognizer listed first. The result is sorted by
 * start offset and has no overlapping spans, which is what redaction needs.
 */
import { DEFAULT_RECOGNIZERS } from "./registry";
import { DEFAULT_MIN_SCORE, type Finding, type Recognizer, type ScanOptions } from "./types";

interface Ranked extends Finding {
  rank: number;
}

/**
 * Keeps a maximal set of non-overlapping findings, preferring score, then length, then rank.
 * Accepted spans are kept sorted and disjoint, so each overlap test is a binary search.
 */
function resolveOverlaps(candidates: Ranked[]): Finding[] {
  candidates.sort(
    (a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.rank - b.rank || a.start - b.start,
  );
  const accepted: Finding[] = [];
  for (const c of candidates) {
    // First accepted span that ends after c starts; it overlaps c iff it starts before c ends.
    let lo = 0;
    let hi = accepted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (accepted[mid].end <= c.start) lo = mid + 1;
      else hi = mid;
    }
    if (lo < accepted.length && accepted[lo].start < c.end) continue;
    accepted.splice(lo, 0, { type: c.type, start: c.start, end: c.end, score: c.score });
  }
  return accepted;
}

/**
 * Runs `recognizers` and returns sorted, non-overlapping findings at or above `minScore`.
 *
 * @example
 * runRecognizers("mail a@b.io", DEFAULT_RECOGNIZERS, 0.5) // [{ type: "EMAIL_ADDRESS", start: 5, end: 11, score: 0.9 }]
 */
export function runRecognizers(text: string, recognizers: readonly Recognizer[], minScore: number): Finding[] {
  if (text.length === 0) return [];
  const candidates: Ranked[] = [];
  for (let rank = 0; rank < recognizers.length; rank++) {
    for (const f of recognizers[rank].find(text)) {
      if (f.score >= minScore && f.end > f.start) candidates.push({ ...f, rank });
    }
  }
  return candidates.length === 0 ? [] : resolveOverlaps(candidates);
}

/**
 * Scans `text` with the built-in recognizers (or `options.recognizers`) and returns findings
 * sorted by start, overlaps resolved. Findings carry type, offsets and score, never the value.
 *
 * @example
 * scan("SSN 536-90-4399, card 4111 1111 1111 1111")
 * // [{ type: "US_SSN", start: 4, end: 15, score: 1 }, { type: "CREDIT_CARD", start: 22, end: 41, score: 0.95 }]
 */
export function scan(text: string, options: ScanOptions = {}): Finding[] {
  let recognizers = options.recognizers ?? DEFAULT_RECOGNIZERS;
  if (options.types !== undefined) {
    const wanted = new Set(options.types);
    recognizers = recognizers.filter((r) => wanted.has(r.type));
  }
  return runRecognizers(text, recognizers, options.minScore ?? DEFAULT_MIN_SCORE);
}
