/**
 * @module
 * Rules for where a provider's secret may go, as pure functions: a `base_url` must not carry
 * credentials of its own (they would be stored and shown in clear, outside the encrypted
 * secret), and a stored secret follows its provider only while the destination (type and base
 * URL) stays the same.
 */

/** Query parameter names that carry credentials (`?key=`, `?api_key=`, `?access_token=`, `?sig=`...). */
const CREDENTIAL_PARAM = /(^|[-_.])(key|apikey|token|secret|password|passwd|pwd|auth|authorization|sig|signature|credential|credentials|code)$|^(x-)?api[-_]?key$|^(access|refresh|id)[-_]?token$/i;

/**
 * Why a base URL is refused, or undefined when it carries no credentials.
 * @example baseUrlCredentials("https://u:p@host/v1") // "user info (user:password@) in base_url"
 * @example baseUrlCredentials("https://host/v1?api_key=x") // "query parameter \"api_key\" in base_url"
 */
export function baseUrlCredentials(baseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return undefined; // not a URL at all: the schema reports that
  }
  if (url.username || url.password) return "user info (user:password@) in base_url";
  for (const name of url.searchParams.keys()) {
    if (isCredentialName(name)) return `query parameter "${name.slice(0, 40)}" in base_url`;
  }
  return undefined;
}

/**
 * True for a setting or parameter name that carries a credential. Provider `options` are stored
 * and shown in clear, so such names are refused there too (the key belongs in `api_key`).
 * @example isCredentialName("api_key") === true; isCredentialName("api_version") === false
 */
export function isCredentialName(name: string): boolean {
  return CREDENTIAL_PARAM.test(name);
}

/** What a provider's secret is bound to. */
export interface ProviderDestination {
  type: string;
  base_url?: string | null;
}

/**
 * True when a change sends requests somewhere else: another provider type or another base URL.
 * @example destinationChanged({ type: "openai" }, { type: "openai", base_url: "https://evil.example/v1" }) === true
 */
export function destinationChanged(before: ProviderDestination, after: ProviderDestination): boolean {
  return before.type !== after.type || (before.base_url ?? null) !== (after.base_url ?? null);
}
