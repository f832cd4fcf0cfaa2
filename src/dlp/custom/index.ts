/**
 * @module
 * Custom recognizers compiled from policy config: `{ type: "EMPLOYEE_ID", pattern: "EMP-\\d{6}",
 * context?: [...], score? }`. Patterns are organisation-supplied and run on the hot path over
 * client-controlled text, so they run on RE2 (re2js): matching time is linear in the input whatever
 * the pattern, so `(a+)+$` or overlapping alternations cannot backtrack catastrophically. Patterns
 * RE2 cannot compile (backreferences, lookarounds, possessive quantifiers) are refused when the
 * policy is written, naming the pattern. Patterns are capped in length, and matches per scan are
 * capped.
 */
import { RE2JS } from "re2js";
import { adjustScore, contextScorer } from "../context";
import { customHoldRule } from "./hold";
import type { EntityType, Finding, Recognizer } from "../types";

export const MAX_PATTERN_LENGTH = 256;
/** Bounds the work and the output of one custom recognizer on one text. */
export const MAX_MATCHES_PER_SCAN = 1000;

export interface CustomRecognizerConfig {
  type: EntityType;
  pattern: string;
  /** Case-insensitive matching. */
  ignore_case?: boolean;
  /** Words that raise the score when they occur near a match. */
  context?: readonly string[];
  /** Score of a match (with context, when context words are configured). Default 0.85. */
  score?: number;
}

function compileRe2(pattern: string, ignoreCase = false): RE2JS {
  return RE2JS.compile(pattern, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
}

/**
 * Why a custom pattern is refused, or null when it is acceptable.
 *
 * @example
 * unsafePatternReason("EMP-\\d{6}") // null
 * unsafePatternReason("(a)\\1") // "not a valid RE2 expression: ..."
 */
export function unsafePatternReason(pattern: string): string | null {
  if (pattern.length === 0) return "empty pattern";
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  let compiled: RE2JS;
  try {
    compiled = compileRe2(pattern);
  } catch (e) {
    const why = (e as Error).message.replace(/^error parsing regexp: /, "");
    return `${JSON.stringify(pattern)} is not a valid RE2 expression (no backreferences or lookarounds): ${why}`;
  }
  if (compiled.matches("")) return "matches the empty string";
  return null;
}

/**
 * Compiles one custom recognizer. Throws on an unsafe pattern (the policy schema refuses such
 * configs earlier, with a readable message).
 *
 * @example
 * const r = compileCustomRecognizer({ type: "EMPLOYEE_ID", pattern: "EMP-\\d{6}" });
 * r.find("badge EMP-004211") // [{ type: "EMPLOYEE_ID", start: 6, end: 16, score: 0.85 }]
 */
export function compileCustomRecognizer(config: CustomRecognizerConfig): Recognizer {
  const reason = unsafePatternReason(config.pattern);
  if (reason !== null) throw new Error(`custom DLP pattern for ${config.type} refused: ${reason}`);
  const pattern = compileRe2(config.pattern, config.ignore_case);
  const hasContext = (config.context?.length ?? 0) > 0;
  const full = config.score ?? 0.85;
  // With context words configured, a match without them scores lower than the configured score.
  const base = hasContext ? Math.max(0, full - 0.35) : full;
  const scorer = contextScorer(config.context ?? [], [], full - base, 0);
  const type = config.type;
  return {
    type,
    hold: customHoldRule(config.pattern),
    find(text: string): Finding[] {
      const out: Finding[] = [];
      const m = pattern.matcher(text);
      while (out.length < MAX_MATCHES_PER_SCAN && m.find()) {
        const start = m.start();
        const end = m.end();
        // Patterns that match the empty string are refused, but a pattern can still match empty
        // at some position (e.g. `a|\b`); such a match finds nothing and the scan moves on.
        if (end === start) continue;
        out.push({ type, start, end, score: hasContext ? adjustScore(text, start, end, base, scorer) : base });
      }
      return out;
    },
  };
}
