/**
 * @module
 * SECRET recognizer: vendor API keys and tokens (./rules.ts), PEM private keys, JWTs and generic
 * `key = value` credentials. The text is lower-cased once per scan and one walk over it, keyed by
 * character pairs, finds which rules' keywords occur, so only those rules run. (Measured on 10 KB
 * of prose: 86 separate `includes` calls cost ~5x more than one combined regex, which costs ~10x
 * more than the pair walk.)
 */
import type { Finding, Recognizer } from "../types";
import { isPlaceholder, shannonEntropy } from "./entropy";
import { GENERIC_HINTS, findAssignedSecrets } from "./generic";
import { findJwts } from "./jwt";
import { findPrivateKeys } from "./pem";
import { SECRET_RULES, type SecretRule } from "./rules";

/** Keyword → indices of the rules that list it. */
const RULES_BY_KEYWORD = new Map<string, number[]>();
SECRET_RULES.forEach((rule, i) => {
  for (const k of rule.keywords) RULES_BY_KEYWORD.set(k, [...(RULES_BY_KEYWORD.get(k) ?? []), i]);
});

/**
 * Keywords by their first two characters (every keyword is lower-case ASCII of two or more
 * characters: index.test.ts holds them to it), longest first within a pair: `PAIR_SLOT` maps
 * `c0 << 7 | c1` to 1 + the pair's index in `BY_PAIR`, 0 for a pair no keyword starts with. One
 * walk over the text looks each position's pair up and only a listed pair tries its few
 * keywords; the alternation regex of all 86 keywords it replaces tried them at every position.
 */
const PAIR_SLOT = new Uint8Array(1 << 14);
const BY_PAIR: Array<Array<readonly [string, readonly number[]]>> = [];
for (const [k, rules] of [...RULES_BY_KEYWORD].sort((a, b) => b[0].length - a[0].length)) {
  const pair = (k.charCodeAt(0) << 7) | k.charCodeAt(1);
  if (PAIR_SLOT[pair] === 0) PAIR_SLOT[pair] = BY_PAIR.push([]);
  BY_PAIR[PAIR_SLOT[pair] - 1].push([k, rules]);
}

/**
 * Words other finders need before they run, noted in the same walk instead of one `includes` pass
 * each: generic assignments need a name hint (generic.ts HINTS), the password phrase `pass` or
 * `pwd`, PEM blocks `private key`, JWTs `eyj` (all lower-cased: a hit only says the finder's own
 * exact check is worth running).
 */
const MARK = { hint: 1, password: 2, pem: 4, jwt: 8 } as const;
const MARK_WORDS: ReadonlyArray<readonly [string, number]> = [
  ...GENERIC_HINTS.map((h) => [h, MARK.hint | (h === "pass" || h === "pwd" ? MARK.password : 0)] as const),
  ["private key", MARK.pem],
  ["eyj", MARK.jwt],
];
const MARK_SLOT = new Uint8Array(1 << 14);
const MARKS_BY_PAIR: Array<Array<readonly [string, number]>> = [];
for (const [w, bits] of MARK_WORDS) {
  const pair = (w.charCodeAt(0) << 7) | w.charCodeAt(1);
  if (MARK_SLOT[pair] === 0) MARK_SLOT[pair] = MARKS_BY_PAIR.push([]);
  MARKS_BY_PAIR[MARK_SLOT[pair] - 1].push([w, bits]);
}

/**
 * Rules whose keywords occur in `lower`, in rule order, and the {@link MARK}s found. At one
 * position only the longest keyword there counts (`sk-ant-` is reported rather than its prefix
 * `sk`), while the next position is still tried, so `sk-ant-` never hides `sk` (Twilio) elsewhere.
 */
function candidateRules(lower: string): { rules: SecretRule[]; marks: number } {
  let hit: Set<number> | undefined;
  let marks = 0;
  const last = lower.length - 1;
  let c1 = lower.charCodeAt(0);
  for (let i = 0; i < last; i++) {
    const c0 = c1;
    c1 = lower.charCodeAt(i + 1);
    if (((c0 | c1) & ~127) !== 0) continue;
    const pair = (c0 << 7) | c1;
    const mark = MARK_SLOT[pair];
    if (mark !== 0) for (const [w, bits] of MARKS_BY_PAIR[mark - 1]) if (lower.startsWith(w, i)) marks |= bits;
    const slot = PAIR_SLOT[pair];
    if (slot === 0) continue;
    for (const [k, rules] of BY_PAIR[slot - 1]) {
      if (k.length > 2 && !lower.startsWith(k, i)) continue;
      hit ??= new Set();
      for (const r of rules) hit.add(r);
      break;
    }
  }
  return { rules: hit === undefined ? [] : [...hit].sort((a, b) => a - b).map((i) => SECRET_RULES[i]), marks };
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
    const { rules, marks } = candidateRules(lower);
    for (const rule of rules) applyRule(rule, text, out);
    if (marks & MARK.pem && text.includes("PRIVATE KEY")) out.push(...findPrivateKeys(text));
    if (marks & MARK.jwt && text.includes("eyJ")) out.push(...findJwts(text));
    if (marks & MARK.hint) out.push(...findAssignedSecrets(text, lower, { password: (marks & MARK.password) !== 0 }));
    return out;
  },
};

export { shannonEntropy, isPlaceholder, looksGenerated } from "./entropy";
export { isJwtHeader } from "./jwt";
export { SECRET_RULES } from "./rules";
export type { SecretRule } from "./rules";
