/**
 * @module
 * Generic `key = value` credentials: an assignment whose name says secret (api_key, token,
 * password, client_secret …) and whose value looks generated. The name alone is not enough
 * (`max_tokens: 4096`, `primary_key = "user_id"`), so the value must pass {@link looksGenerated}.
 */
import type { Finding } from "../types";
import { isPlaceholder, looksGenerated } from "./entropy";

const NAME =
  "(?:api[_\\-.]?key|apikey|access[_\\-.]?key(?:[_\\-.]?id)?|secret(?:[_\\-.]?key)?|client[_\\-.]?secret|" +
  "auth[_\\-.]?token|access[_\\-.]?token|refresh[_\\-.]?token|session[_\\-.]?token|id[_\\-.]?token|token|" +
  "passw(?:or)?d|pwd|pass|private[_\\-.]?key|signing[_\\-.]?key|encryption[_\\-.]?key|credentials?|" +
  "x-api-key|subscription[_\\-.]?key|webhook[_\\-.]?secret|(?:master|license|app)[_\\-.]?key)";

/**
 * `name` (a prefix like `OPENAI_` or `db.` needs no pattern: `_` and `.` are boundaries), closing quote,
 * an assignment operator, optional opening quote, then the value up to a delimiter.
 */
const ASSIGNMENT = new RegExp(
  `(?<![A-Za-z0-9])${NAME}(?:[_\\-.][A-Za-z0-9]+){0,2}["'\`]?\\s{0,3}(?:=|:|:=|=>|\\|\\|=|\\?=)\\s{0,3}["'\`]?` +
    `([A-Za-z0-9_\\-+/=.~!@#$%^&*]{8,256})`,
  "gi",
);

/** "my password is Summer2024!x": prose, not an assignment, but just as much a leak. */
const PASSWORD_PHRASE = /(?<![A-Za-z0-9])(?:password|passwd|passcode|passphrase|pwd)\s+(?:is|was)\s*:?\s*["'`]?([^\s"'`]{8,64})/gi;

/** Every NAME alternative contains one of these; absent all, the regex cannot match. */
export const GENERIC_HINTS: readonly string[] = ["key", "token", "secret", "pass", "pwd", "credential"];

/** `private_key_id`, `token_url`, `password_length`: names *about* a secret, not holding one. */
const DESCRIPTIVE_SUFFIX = /[_\-.](?:ids?|name|type|url|uri|endpoint|path|file|len|length|size|count|limit|expiry|expires(?:_at)?|ttl|version|prefix|format|header|field|policy|hint)["'`]?\s*(?:=|:|:=|=>|\|\|=|\?=)/i;

/** Password fields admit shorter, lower-entropy values than API keys do, if mixed enough. */
const PASSWORD_NAME = /passw(?:or)?d|pwd|pass\b/i;

function passwordLike(value: string): boolean {
  if (value.length < 8 || isPlaceholder(value)) return false;
  let classes = 0;
  if (/[a-z]/.test(value)) classes++;
  if (/[A-Z]/.test(value)) classes++;
  if (/\d/.test(value)) classes++;
  if (/[^A-Za-z0-9]/.test(value)) classes++;
  return classes >= 3;
}

/**
 * Finds generic assigned secrets; the span is the value only.
 *
 * @example
 * findAssignedSecrets('API_KEY="9f8e7d6c5b4a39281706f5e4d3c2b1a0"') // [{ type: "SECRET", start: 9, end: 41, score: 0.8 }]
 */
export function findAssignedSecrets(
  text: string,
  lower: string = text.toLowerCase(),
  /** Passed when the caller's own walk over `lower` found a name hint: whether `pass` or `pwd` occurs too. */
  known?: { password: boolean },
): Finding[] {
  const out: Finding[] = [];
  if (!known && !GENERIC_HINTS.some((h) => lower.includes(h))) return out;
  ASSIGNMENT.lastIndex = 0;
  for (let m = ASSIGNMENT.exec(text); m !== null; m = ASSIGNMENT.exec(text)) {
    // Trailing sentence punctuation is not part of the value ("!" is: passwords end in it).
    const value = m[1].replace(/[.,;*]+$/, "");
    const end = m.index + m[0].length - (m[1].length - value.length);
    const start = end - value.length;
    const name = m[0].slice(0, m[0].length - m[1].length);
    if (DESCRIPTIVE_SUFFIX.test(name)) continue;
    if (looksGenerated(value)) out.push({ type: "SECRET", start, end, score: 0.8 });
    else if (PASSWORD_NAME.test(name) && passwordLike(value)) out.push({ type: "SECRET", start, end, score: 0.75 });
  }
  if (known ? known.password : lower.includes("pass") || lower.includes("pwd")) {
    PASSWORD_PHRASE.lastIndex = 0;
    for (let m = PASSWORD_PHRASE.exec(text); m !== null; m = PASSWORD_PHRASE.exec(text)) {
      // Sentence punctuation after the password is prose; "!" is kept, passwords often end in it.
      const value = m[1].replace(/[.,;:?)]+$/, "");
      if (!passwordLike(value)) continue;
      const start = m.index + m[0].length - m[1].length;
      out.push({ type: "SECRET", start, end: start + value.length, score: 0.7 });
    }
  }
  return out;
}
