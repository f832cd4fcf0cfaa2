/**
 * @module
 * Applies a compiled policy to one text: scan, then per finding allow / redact / block / raise.
 * Blocked spans are masked in `redactedText` too, so a blocked request's text can still be
 * logged (by class rules) without the credential that got it blocked.
 */
import type { CompiledDlpPolicy, RaiseClass } from "./policy";
import { runRecognizers } from "./scan";
import type { EntityType, Finding } from "./types";

export interface DlpResult {
  /** Sorted, non-overlapping; type, offsets and score only, never the matched value. */
  findings: Finding[];
  /** The text with every redact- or block-action span replaced by `[TYPE]`. */
  redactedText: string;
  /** Distinct types whose action is block, in order of first occurrence. Non-empty → refuse. */
  blocked: EntityType[];
  /** The highest class any raise-action finding asks for; absent when none does. */
  raiseTo?: RaiseClass;
}

/** The placeholder that replaces a span. */
export function placeholder(type: EntityType): string {
  return `[${type}]`;
}

/**
 * Replaces the given spans (sorted, non-overlapping) with `[TYPE]` placeholders.
 *
 * @example
 * redactSpans("mail a@b.io", [{ type: "EMAIL_ADDRESS", start: 5, end: 11, score: 0.9 }]) // "mail [EMAIL_ADDRESS]"
 */
export function redactSpans(text: string, spans: readonly Finding[]): string {
  if (spans.length === 0) return text;
  let out = "";
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + placeholder(s.type);
    at = s.end;
  }
  return out + text.slice(at);
}

/**
 * Decides a policy's actions for `findings` of some text: which spans to mask, which types block,
 * and the class to raise to.
 *
 * @example
 * decide(compileDlpPolicy(), [{ type: "SECRET", start: 0, end: 40, score: 0.97 }]).blocked // ["SECRET"]
 */
export function decide(
  policy: CompiledDlpPolicy,
  findings: readonly Finding[],
): { masked: Finding[]; blocked: EntityType[]; raiseTo?: RaiseClass } {
  const masked: Finding[] = [];
  const blocked: EntityType[] = [];
  let raiseTo: RaiseClass | undefined;
  for (const f of findings) {
    const a = policy.actionFor(f.type);
    if (a.action === "redact") masked.push(f);
    else if (a.action === "block") {
      masked.push(f);
      if (!blocked.includes(f.type)) blocked.push(f.type);
    } else if (a.action === "raise" && raiseTo !== "restricted") raiseTo = a.to;
  }
  return raiseTo === undefined ? { masked, blocked } : { masked, blocked, raiseTo };
}

/**
 * Scans `text` under `policy` and applies its actions.
 *
 * @example
 * const policy = compileDlpPolicy({ actions: { EMAIL_ADDRESS: "redact" } });
 * applyDlp(policy, "write to jane@acme.io").redactedText // "write to [EMAIL_ADDRESS]"
 */
export function applyDlp(policy: CompiledDlpPolicy, text: string): DlpResult {
  if (!policy.enabled) return { findings: [], redactedText: text, blocked: [] };
  const findings = runRecognizers(text, policy.recognizers, policy.minScore);
  const { masked, blocked, raiseTo } = decide(policy, findings);
  const result: DlpResult = { findings, redactedText: redactSpans(text, masked), blocked };
  if (raiseTo !== undefined) result.raiseTo = raiseTo;
  return result;
}
