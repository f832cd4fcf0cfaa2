/**
 * @module
 * Secret-detection rules as data: one entry per credential format with the keywords that must
 * occur before its regex runs (the gitleaks idea: a substring check is far cheaper than a regex
 * pass, and most prompts contain no credential at all).
 *
 * Attribution: the token formats (prefixes, alphabets and lengths) follow the public rule set of
 * gitleaks (https://github.com/gitleaks/gitleaks, config/gitleaks.toml, MIT License, © Zachary
 * Rice) and vendor documentation. The regexes here are written for JavaScript (no inline `(?i)`
 * mode switches, lookbehind boundaries instead of Go's trailing-delimiter alternations) and
 * report only the secret itself, not the `key =` around it, so redaction keeps the structure.
 *
 * Rules without a capture group report the whole match; rules with one report group 1.
 */

export interface SecretRule {
  /** Stable id, kebab-case (gitleaks naming where one exists). Never returned with findings. */
  id: string;
  /**
   * Lower-case substrings; the rule runs only if one occurs in the lower-cased text. Keep them
   * specific: every keyword costs one substring search per scan.
   */
  keywords: readonly string[];
  /** Global regex. With a capture group, group 1 is the secret. */
  pattern: RegExp;
  /** Base score of a match that passes the rule's checks. */
  score: number;
  /** Minimum Shannon entropy (bits per char) of the secret, for rules whose alphabet is loose. */
  minEntropy?: number;
}

/** Boundary used instead of `\b` so that `-` and `_` inside tokens do not start a match. */
const B = "(?<![A-Za-z0-9_\\-])";
/** End boundary: the token alphabet must not continue. */
const E = "(?![A-Za-z0-9_\\-])";

function re(source: string, flags = "g"): RegExp {
  return new RegExp(source, flags);
}

export const SECRET_RULES: readonly SecretRule[] = [
  // ── Cloud providers ────────────────────────────────────────────────────────────────────────
  { id: "aws-access-key-id", keywords: ["akia", "asia", "abia", "acca", "a3t"], score: 0.95,
    pattern: re(`${B}(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}${E}`) },
  { id: "aws-secret-access-key", keywords: ["aws", "secret_access_key", "secretaccesskey"], score: 0.9, minEntropy: 4,
    pattern: re(`(?:aws|secret_?access)[\\w.\\-]{0,30}["']?\\s{0,3}(?:=|:|=>|:=)\\s{0,3}["'\`]?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`, "gi") },
  { id: "gcp-api-key", keywords: ["aiza"], score: 0.95, pattern: re(`${B}AIza[\\w\\-]{35}${E}`) },
  { id: "gcp-oauth-client-secret", keywords: ["gocspx-"], score: 0.95, pattern: re(`${B}GOCSPX-[\\w\\-]{28}${E}`) },
  { id: "gcp-oauth-access-token", keywords: ["ya29."], score: 0.9, pattern: re(`${B}ya29\\.[\\w\\-]{30,}${E}`) },
  { id: "azure-ad-client-secret", keywords: ["q~"], score: 0.9,
    pattern: re(`(?<![\\w~.])[A-Za-z0-9_~.]{3}\\dQ~[A-Za-z0-9_~.\\-]{31,34}(?![\\w~.\\-])`) },
  { id: "azure-storage-account-key", keywords: ["accountkey="], score: 0.95,
    pattern: re(`AccountKey=([A-Za-z0-9+/]{86}==)`, "gi") },
  { id: "azure-subscription-key", keywords: ["azure", "ocp-apim-subscription-key", "cognitive"], score: 0.85, minEntropy: 3.2,
    pattern: re(`(?:azure|ocp-apim-subscription-key|cognitive)[\\w.\\-]{0,30}["']?\\s{0,3}(?:=|:|=>|:=)\\s{0,3}["'\`]?([a-f0-9]{32})${E}`, "gi") },
  { id: "digitalocean-token", keywords: ["dop_v1_", "doo_v1_", "dor_v1_"], score: 0.95, pattern: re(`${B}do[opr]_v1_[a-f0-9]{64}${E}`) },
  { id: "alibaba-access-key-id", keywords: ["ltai"], score: 0.85, minEntropy: 3, pattern: re(`${B}LTAI[A-Za-z0-9]{20}${E}`) },
  { id: "databricks-token", keywords: ["dapi"], score: 0.9, minEntropy: 3, pattern: re(`${B}dapi[a-f0-9]{32}(?:-\\d)?${E}`) },
  { id: "cloudflare-origin-ca-key", keywords: ["v1.0-"], score: 0.9, pattern: re(`${B}v1\\.0-[a-f0-9]{24}-[a-f0-9]{146}${E}`) },

  // ── Code hosting and package registries ────────────────────────────────────────────────────
  { id: "github-token", keywords: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], score: 0.97,
    pattern: re(`${B}gh[pousr]_[A-Za-z0-9]{36}${E}`) },
  { id: "github-fine-grained-pat", keywords: ["github_pat_"], score: 0.97, pattern: re(`${B}github_pat_\\w{82}${E}`) },
  { id: "gitlab-token", keywords: ["glpat-", "glptt-", "gldt-", "glrt-", "glcbt-", "gloas-"], score: 0.95,
    pattern: re(`${B}(?:glpat|gldt|glrt|glcbt|gloas)-[\\w\\-]{20,}${E}|${B}glptt-[a-f0-9]{40}${E}`) },
  { id: "npm-token", keywords: ["npm_"], score: 0.95, pattern: re(`${B}npm_[A-Za-z0-9]{36}${E}`) },
  { id: "pypi-token", keywords: ["pypi-ageichlwas5vcmc"], score: 0.97, pattern: re(`${B}pypi-AgEIcHlwaS5vcmc[\\w\\-]{50,}${E}`) },
  { id: "atlassian-api-token", keywords: ["atatt3"], score: 0.95, pattern: re(`${B}ATATT3[A-Za-z0-9_\\-=]{186}${E}`) },

  // ── Messaging, payments, SaaS ──────────────────────────────────────────────────────────────
  { id: "slack-token", keywords: ["xoxb-", "xoxp-", "xoxa-", "xoxe-", "xoxr-", "xoxs-", "xapp-"], score: 0.95,
    pattern: re(`${B}xox[bpaers]-(?:\\d-)?[0-9A-Za-z]{8,}(?:-[0-9A-Za-z]{4,})+${E}|${B}xapp-\\d-[A-Z0-9]+-\\d+-[a-z0-9]+${E}`) },
  { id: "slack-webhook-url", keywords: ["hooks.slack.com"], score: 0.95,
    pattern: re(`https?://hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\\-]{20,}`) },
  { id: "discord-webhook-url", keywords: ["discord.com/api/webhooks", "discordapp.com/api/webhooks"], score: 0.95,
    pattern: re(`https?://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/\\d+/[\\w\\-]{60,}`) },
  { id: "telegram-bot-token", keywords: [":aa"], score: 0.85,
    pattern: re(`(?<![\\w:])\\d{8,10}:AA[\\w\\-]{33}${E}`) },
  { id: "stripe-key", keywords: ["sk_live_", "sk_test_", "rk_live_", "rk_test_", "sk_prod_", "rk_prod_", "whsec_"], score: 0.95,
    pattern: re(`${B}(?:sk|rk)_(?:test|live|prod)_[A-Za-z0-9]{10,99}${E}|${B}whsec_[A-Za-z0-9]{32,}${E}`) },
  { id: "square-token", keywords: ["sq0atp-", "sq0csp-"], score: 0.95, pattern: re(`${B}sq0(?:atp|csp)-[\\w\\-]{22,43}${E}`) },
  { id: "shopify-token", keywords: ["shpat_", "shpca_", "shppa_", "shpss_"], score: 0.95, pattern: re(`${B}shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}${E}`) },
  { id: "sendgrid-api-key", keywords: ["sg."], score: 0.95, pattern: re(`${B}SG\\.[\\w\\-]{22}\\.[\\w\\-]{43}${E}`) },
  { id: "twilio-api-key", keywords: ["sk"], score: 0.8, minEntropy: 3, pattern: re(`${B}SK[0-9a-f]{32}${E}`) },
  { id: "mailgun-api-key", keywords: ["key-"], score: 0.75, minEntropy: 3.3, pattern: re(`${B}key-[0-9a-f]{32}${E}`) },
  { id: "linear-api-key", keywords: ["lin_api_"], score: 0.95, pattern: re(`${B}lin_api_[A-Za-z0-9]{40}${E}`) },
  { id: "notion-token", keywords: ["ntn_", "secret_"], score: 0.85, minEntropy: 3.5,
    pattern: re(`${B}ntn_\\d{11}[A-Za-z0-9]{35}${E}|${B}secret_[A-Za-z0-9]{43}${E}`) },
  { id: "doppler-token", keywords: ["dp.pt.", "dp.st.", "dp.ct.", "dp.sa."], score: 0.95, pattern: re(`${B}dp\\.(?:pt|st|ct|sa)\\.[A-Za-z0-9]{40,44}${E}`) },
  { id: "1password-service-token", keywords: ["ops_eyj"], score: 0.95, pattern: re(`${B}ops_eyJ[A-Za-z0-9+/]{250,}={0,3}`) },

  // ── AI providers ───────────────────────────────────────────────────────────────────────────
  { id: "anthropic-api-key", keywords: ["sk-ant-"], score: 0.98, pattern: re(`${B}sk-ant-(?:api|admin|sid)\\d{2}-[\\w\\-]{32,256}${E}`) },
  { id: "openai-api-key", keywords: ["sk-", "t3blbkfj"], score: 0.95,
    pattern: re(`${B}sk-(?:(?:proj|svcacct|admin|None)-)?[\\w\\-]{16,200}T3BlbkFJ[\\w\\-]{16,200}${E}|${B}sk-(?:proj|svcacct|admin)-[\\w\\-]{40,200}${E}|${B}sk-[A-Za-z0-9]{48}${E}`) },
  { id: "huggingface-token", keywords: ["hf_"], score: 0.9, minEntropy: 3.5, pattern: re(`${B}hf_[A-Za-z]{34}${E}`) },
  { id: "groq-api-key", keywords: ["gsk_"], score: 0.95, pattern: re(`${B}gsk_[A-Za-z0-9]{52}${E}`) },
  { id: "xai-api-key", keywords: ["xai-"], score: 0.9, minEntropy: 3.5, pattern: re(`${B}xai-[A-Za-z0-9]{80}${E}`) },
  { id: "perplexity-api-key", keywords: ["pplx-"], score: 0.9, pattern: re(`${B}pplx-[A-Za-z0-9]{48}${E}`) },
  { id: "replicate-api-token", keywords: ["r8_"], score: 0.9, minEntropy: 3.5, pattern: re(`${B}r8_[A-Za-z0-9]{37}${E}`) },
  { id: "cohere-api-key", keywords: ["cohere", "co_api_key"], score: 0.85, minEntropy: 3.8,
    pattern: re(`(?:cohere|co_api_key)[\\w.\\-]{0,20}["']?\\s{0,3}(?:=|:|=>|:=)\\s{0,3}["'\`]?([A-Za-z0-9]{40})${E}`, "gi") },

  // ── Generic shapes: credentials in URLs, auth headers, key = value ─────────────────────────
  { id: "url-credentials", keywords: ["://"], score: 0.9,
    pattern: re(`${B}[a-z][a-z0-9+.\\-]{1,20}://[^\\s:@/'"]{1,64}:([^\\s@/'"]{3,128})@[A-Za-z0-9\\[]`, "gi") },
  { id: "authorization-bearer", keywords: ["bearer", "token "], score: 0.85, minEntropy: 3,
    pattern: re(`(?<![A-Za-z0-9])(?:bearer|token)\\s+([A-Za-z0-9\\-._~+/]{16,}=*)(?![A-Za-z0-9\\-._~+/=])`, "gi") },
  { id: "basic-auth-header", keywords: ["basic "], score: 0.85, minEntropy: 3,
    pattern: re(`authorization["']?\\s{0,3}[:=]\\s{0,3}["']?basic\\s+([A-Za-z0-9+/]{12,}={0,2})(?![A-Za-z0-9+/=])`, "gi") },
];
