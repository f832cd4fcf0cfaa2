/**
 * @module
 * Cheap statistics that separate generated credentials from words, numbers and placeholders.
 */

/**
 * Shannon entropy in bits per character.
 *
 * @example
 * shannonEntropy("aaaa") // 0
 * shannonEntropy("abcd") // 2
 */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Documentation placeholders and template variables: never a live credential. AWS's own docs
 * use keys ending in EXAMPLE; templates use `${VAR}`, `{{ var }}`, `<your-key>`, `xxxx`, `****`.
 */
const PLACEHOLDER =
  /EXAMPLE|example|placeholder|PLACEHOLDER|your[_\-]?(?:api[_\-]?)?(?:key|token|secret|password)|xxxx|XXXX|\*\*\*\*|\.\.\.|<[^>]*>|\$\{|\{\{|%[A-Z_]+%|redacted|REDACTED|changeme|CHANGEME|dummy|DUMMY|sample|SAMPLE|insert[_\-]|replace[_\-]?me/;

/**
 * True for values that announce themselves as placeholders.
 *
 * @example
 * isPlaceholder("AKIAIOSFODNN7EXAMPLE") // true
 * isPlaceholder("${OPENAI_API_KEY}") // true
 */
export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value) || /^(.)\1+$/.test(value);
}

/**
 * Heuristic for a generic `key = value` secret: long enough, letters and digits mixed (or long
 * mixed-case base64), high entropy, not a placeholder, not a word-like identifier
 * (`user_profile_id`), not a version or a number.
 *
 * @example
 * looksGenerated("9f8e7d6c5b4a39281706f5e4d3c2b1a0") // true
 * looksGenerated("max_tokens_per_request") // false
 */
export function looksGenerated(value: string): boolean {
  if (value.length < 12 || value.length > 512) return false;
  if (isPlaceholder(value)) return false;
  const hasDigit = /\d/.test(value);
  const hasLower = /[a-z]/.test(value);
  const hasUpper = /[A-Z]/.test(value);
  if (!hasDigit && !(hasLower && hasUpper && value.length >= 24)) return false;
  if (!hasLower && !hasUpper) return false; // numbers, dates, versions
  // snake_case / kebab-case / dotted identifiers made of words.
  if (/^[a-z]+(?:[_\-.][a-z0-9]+)+$/.test(value) && !/\d{3}/.test(value)) return false;
  const threshold = value.length >= 20 ? 3.3 : 3.0;
  return shannonEntropy(value) >= threshold;
}
