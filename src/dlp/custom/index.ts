/**
 * @module
 * Custom recognizers compiled from policy config: `{ type: "EMPLOYEE_ID", pattern: "EMP-\\d{6}",
 * context?: [...], score? }`. Patterns are organisation-supplied and run on the hot path, so they
 * are checked once at compile time against the shapes that make JavaScript regexes backtrack
 * catastrophically (nested or adjacent overlapping quantifiers, backreferences), capped in length,
 * and capped in matches per scan.
 */
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

/** A quantified group that itself contains a quantifier: `(a+)+`, `(\w*)*`, `(x|y+){2,}`. */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,?\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,?\d*\})/;
/** Backreferences and named backreferences make matching exponential in the worst case. */
const BACKREFERENCE = /\\[1-9]|\\k</;
/** Two unbounded wildcards in a row (`.*.*`, `\w+\w+`) backtrack quadratically or worse. */
const ADJACENT_UNBOUNDED = /(?:\.|\\[wWsSdD]|\])[+*]\??(?:\.|\\[wWsSdD]|\[[^\]]*\])[+*]/;

/**
 * Why a custom pattern is refused, or null when it is acceptable.
 *
 * @example
 * unsafePatternReason("EMP-\\d{6}") // null
 * unsafePatternReason("(a+)+$") // "nested quantifier"
 */
export function unsafePatternReason(pattern: string): string | null {
  if (pattern.length === 0) return "empty pattern";
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  if (NESTED_QUANTIFIER.test(pattern)) return "nested quantifier";
  if (BACKREFERENCE.test(pattern)) return "backreference";
  if (ADJACENT_UNBOUNDED.test(pattern)) return "adjacent unbounded quantifiers";
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern, "g");
  } catch (e) {
    return `invalid regex: ${(e as Error).message}`;
  }
  if (compiled.test("")) return "matches the empty string";
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
  const pattern = new RegExp(config.pattern, config.ignore_case ? "gi" : "g");
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
      pattern.lastIndex = 0;
      for (let m = pattern.exec(text); m !== null && out.length < MAX_MATCHES_PER_SCAN; m = pattern.exec(text)) {
        if (m[0].length === 0) {
          pattern.lastIndex++;
          continue;
        }
        const start = m.index;
        const end = start + m[0].length;
        out.push({ type, start, end, score: hasContext ? adjustScore(text, start, end, base, scorer) : base });
      }
      return out;
    },
  };
}
