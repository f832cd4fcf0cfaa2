/**
 * @module
 * SECRET recognizer: vendor API keys and tokens (./rules.ts), PEM private keys, JWTs and generic
 * `key = value` credentials. The text is lower-cased once per scan and one combined regex of all
 * rules' keywords finds which rules can match at all; only those run. (Measured on 10 KB of
 * prose: 86 separate `includes` calls cost ~5x more than one pass of the combined regex.)
 */
import type { Finding, Recognizer } from "../types";
import { isPlaceholder, shannonEntropy } from "./entropy";
import { findAssignedSecrets } from "./generic";
import { findJwts } from "./jwt";
import { findPrivateKeys } from "./pem";
import { SECRET_RULES, type SecretRule } from "./rules";

const escape = (k: string): string => k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Keyword → indices of the rules that list it. */
const RULES_BY_KEYWORD = new Map<string, number[]>();
SECRET_RULES.forEach((rule, i) => {
  for (const k of rule.keywords) RULES_BY_KEYWORD.set(k, [...(RULES_BY_KEYWORD.get(k) ?? []), i]);
});
/** Longest keywords first, so `sk-ant-` is reported rather than its prefix `sk`. */
const KEYWORDS = new RegExp(
  [...RULES_BY_KEYWORD.keys()].sort((a, b) => b.length - a.length).map(escape).join("|"),
  "g",
);

/** Rules whose keywords occur in `lower`, in rule order. */
function candidateRules(lower: string): SecretRule[] {
  const hit = new Set<number>();
  KEYWORDS.lastIndex = 0;
  for (let m = KEYWORDS.exec(lower); m !== null; m = KEYWORDS.exec(lower)) {
    for (const i of RULES_BY_KEYWORD.get(m[0]) ?? []) hit.add(i);
    // `sk-ant-` must not hide `sk` (Twilio) elsewhere; restarting one char later keeps overlaps.
    KEYWORDS.lastIndex = m.index + 1;
  }
  return [...hit].sort((a, b) => a - b).map((i) => SECRET_RULES[i]);
}

function applyRule(rule: SecretRule, text: string, out: Finding[]): void {
  const pattern = rule.pattern;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    if (m[0].length === 0) {
      pattern.lastIndex++;
      continue;
    }
    // Rules with a capture group report the group; its offset is found inside the match.
    const group = m.length > 1 && m[1] !== undefined ? m[1] : null;
    const value = group ?? m[0];
    const start = group === null ? m.index : m.index + m[0].lastIndexOf(group);
    if (isPlaceholder(value)) continue;
    if (rule.minEntropy !== undefined && shannonEntropy(value) < rule.minEntropy) continue;
    out.push({ type: "SECRET", start, end: start + value.length, score: rule.score });
  }
}

/**
 * Finds credentials of every supported kind.
 *
 * @example
 * secretRecognizer.find("token ghp_" + "a".repeat(18) + "B".repeat(18)) // one SECRET finding
 */
export const secretRecognizer: Recognizer = {
  type: "SECRET",
  find(text: string): Finding[] {
    const out: Finding[] = [];
    const lower = text.toLowerCase();
    for (const rule of candidateRules(lower)) applyRule(rule, text, out);
    if (text.includes("PRIVATE KEY")) out.push(...findPrivateKeys(text));
    if (text.includes("eyJ")) out.push(...findJwts(text));
    out.push(...findAssignedSecrets(text, lower));
    return out;
  },
};

export { shannonEntropy, isPlaceholder, looksGenerated } from "./entropy";
export { isJwtHeader } from "./jwt";
export { SECRET_RULES } from "./rules";
export type { SecretRule } from "./rules";
