/**
 * @module
 * Stream hold rule for SECRET. A credential span may start:
 * - at a token that begins with, or is still a prefix of, a vendor prefix (`ghp_`, `sk-`, `AKIA`,
 *   `eyJ` for JWTs …): the token is held until it ends;
 * - in a word that contains `:` (URL credentials, `scheme://user:pass@host`, Telegram tokens) or
 *   is still a prefix of `https://` (webhook URLs report the whole URL), or is a run of digits
 *   (a Telegram token's bot id before its `:`);
 * - at the value after `name = ` / `name: ` whose name says key, token, secret, password …, after
 *   `Bearer`/`token`/`Basic`, or after "password is": the value is held until it ends (the name
 *   itself was released; the scanner keeps it as context);
 * - at a `-----BEGIN` line still being written (the scanner drops a whole private key itself once
 *   its header is complete);
 * - at an Azure AD client secret (`abc1Q~…`): from four chars before `Q~`.
 */
import { isAlnumCode, isDigitCode, isSpaceCode, trailingRun } from "../hold-run";
import type { HoldRule } from "../types";

/** Long vendor tokens (Atlassian, Cloudflare origin CA, 1Password) run to a few hundred chars. */
const MAX_HOLD = 1024;

/**
 * Keywords of ./rules.ts that are not token prefixes: they gate rules whose span the other checks
 * find (assignments, headers, URLs, Azure AD secrets).
 */
export const NOT_PREFIX_KEYWORDS: ReadonlySet<string> = new Set([
  "aws", "secret_access_key", "secretaccesskey", "azure", "ocp-apim-subscription-key", "cognitive", "cohere",
  "co_api_key", "accountkey=", "://", ":aa", "q~", "bearer", "token ", "basic ", "t3blbkfj",
  "hooks.slack.com", "discord.com/api/webhooks", "discordapp.com/api/webhooks",
]);
/**
 * How vendor tokens begin, in the case their rules match (the rules' keywords are lower-cased
 * for the prefilter; holding every word that starts with "a" for `AKIA` would cost a chunk of
 * delay on ordinary prose). A test checks this list against the rules' keywords.
 */
export const TOKEN_PREFIXES: readonly string[] = [
  "AKIA", "ASIA", "ABIA", "ACCA", "A3T", "AIza", "GOCSPX-", "ya29.", "dop_v1_", "doo_v1_", "dor_v1_", "LTAI", "dapi",
  "v1.0-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "glptt-", "gldt-", "glrt-", "glcbt-",
  "gloas-", "npm_", "pypi-AgEIcHlwaS5vcmc", "ATATT3", "xoxb-", "xoxp-", "xoxa-", "xoxe-", "xoxr-", "xoxs-", "xapp-",
  "sk_live_", "sk_test_", "rk_live_", "rk_test_", "sk_prod_", "rk_prod_", "whsec_", "sq0atp-", "sq0csp-", "shpat_",
  "shpca_", "shppa_", "shpss_", "SG.", "SK", "key-", "lin_api_", "ntn_", "secret_", "dp.pt.", "dp.st.", "dp.ct.",
  "dp.sa.", "ops_eyJ", "sk-ant-", "sk-", "hf_", "gsk_", "xai-", "pplx-", "r8_",
  // JWTs and webhook URLs (the rule reports the whole URL).
  "eyJ", "https://", "http://",
];
/** Every proper prefix of a token prefix: a token that is one may still become a credential. */
const PARTIALS = new Set(TOKEN_PREFIXES.flatMap((p) => Array.from({ length: p.length - 1 }, (_, i) => p.slice(0, i + 1))));

/** Token alphabet of the vendor formats (with the separators some use: `.`, `~`, `+`, `/`, `=`). */
const inToken = (c: number): boolean =>
  isAlnumCode(c) || c === 95 || c === 45 || c === 46 || c === 126 || c === 43 || c === 47 || c === 61;
/** Rules' start boundary: no alphanumeric, `_` or `-` before. */
const joins = (c: number): boolean => isAlnumCode(c) || c === 95 || c === 45;
const inWord = (c: number): boolean => !isSpaceCode(c) && c !== 34 && c !== 39 && c !== 96 && c !== 60 && c !== 62;

/** Value after a secret-ish name and an assignment operator, still open at the end. */
const ASSIGNED_VALUE = new RegExp(
  "(?:key|token|secret|pass|pwd|credential|aws|azure|cognitive|cohere|auth)[\\w.\\-]{0,30}[\"'`]?\\s{0,3}" +
    "(?:=|:|:=|=>|\\|\\|=|\\?=)\\s{0,3}[\"'`]?([^\\s\"'`]*)$",
  "i",
);
const HEADER_VALUE = /(?<![A-Za-z0-9])(?:bearer|token|basic)\s+([A-Za-z0-9\-._~+/]*=*)$/i;
const PASSWORD_VALUE = /(?:password|passwd|passcode|passphrase|pwd)\s+(?:is|was)\s*:?\s*["'`]?([^\s"'`]*)$/i;
const PEM_HEADER = /-(?:-(?:-(?:-(?:-(?:B(?:E(?:G(?:I(?:N(?: [A-Z ]{0,40}-{0,4})?)?)?)?)?)?)?)?)?)?$/;
const AZURE_SECRET = /[A-Za-z0-9_~.]{3}\d(?:Q(?:~[A-Za-z0-9_~.\-]*)?)?$/;

/** Where the value captured by `re` starts, if `re` matches the end of `tail`. */
function valueStart(re: RegExp, tail: string, offset: number): number {
  const m = re.exec(tail);
  return m === null ? Infinity : offset + m.index + m[0].length - m[1].length;
}

function tokenStart(text: string): number {
  const from = trailingRun(text, inToken, MAX_HOLD);
  for (let i = from; i < text.length; i++) {
    if (i > 0 && joins(text.charCodeAt(i - 1))) continue;
    const rest = text.slice(i, i + 32);
    if (PARTIALS.has(rest) || TOKEN_PREFIXES.some((p) => rest.startsWith(p))) return i;
  }
  return Infinity;
}

function wordStart(text: string): number {
  const from = trailingRun(text, inWord, MAX_HOLD);
  if (from === text.length) return Infinity;
  const word = text.slice(from);
  if (word.includes(":")) return from;
  if (word.length <= 10 && [...word].every((ch) => isDigitCode(ch.charCodeAt(0)))) return from;
  const azure = AZURE_SECRET.exec(word);
  return azure === null ? Infinity : from + azure.index;
}

export const secretHold: HoldRule = {
  maxHold: MAX_HOLD,
  candidateStart(text) {
    // Names and operators are short: the last few hundred chars hold any open assignment.
    const offset = Math.max(0, text.length - 320);
    const tail = text.slice(offset);
    const lower = tail.toLowerCase();
    // Each end-anchored regex is tried only when its literal parts occur (they run on every push).
    const assigned = lower.includes("=") || lower.includes(":") ? valueStart(ASSIGNED_VALUE, tail, offset) : Infinity;
    const headerWord = lower.includes("bearer") || lower.includes("token") || lower.includes("basic");
    const header = headerWord ? valueStart(HEADER_VALUE, tail, offset) : Infinity;
    const passwordWord = lower.includes("pass") || lower.includes("pwd");
    const password = passwordWord ? valueStart(PASSWORD_VALUE, tail, offset) : Infinity;
    const pemOpen = tail.endsWith("-") || tail.lastIndexOf("-----B") > tail.length - 64;
    const pem = pemOpen ? PEM_HEADER.exec(tail.slice(-64)) : null;
    const at = Math.min(
      tokenStart(text),
      wordStart(text),
      assigned,
      header,
      password,
      pem === null ? Infinity : text.length - pem[0].length,
    );
    return at === Infinity ? text.length : at;
  },
};
