/**
 * @module
 * Turns "every target failed" into one client answer: the status says what kind of failure
 * (504 all timed out, 503 nothing available, 502 upstream errors), a non-retryable upstream 4xx
 * is passed on as-is, and the message lists what was tried. For zone-bound data it also says that
 * no other zone was tried: the failure is the zone's, and residency is why.
 *
 * Upstream text is the provider's, not ours, and may quote the gateway's own provider key
 * ("Incorrect API key provided: sk-…"). So a provider refusing the gateway's credentials (401,
 * 403) becomes a 502 that names the provider and nothing of its answer (the client's key was
 * fine; the operator must fix the provider's), and every upstream message passed on has
 * key-shaped substrings masked.
 */
import { GatewayError, type ErrorType } from "../errors/openai";
import type { FallbackResult } from "../routing/fallback";

/** Key-shaped substrings in provider error text: vendor key prefixes and bearer/api-key values. */
const KEY_SHAPED = new RegExp(
  [
    String.raw`\b(?:sk|rk|pk|gsk|xai|sess)[-_][A-Za-z0-9*_.-]{6,}`,
    String.raw`\bAIza[0-9A-Za-z_*-]{10,}`,
    String.raw`\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/*=-]{6,}`,
    String.raw`\b(?:api[-_]?key|key|token|secret)\s*[:=]\s*["']?[^\s"',;]{6,}`,
  ].join("|"),
  "gi",
);

/**
 * Provider error text with anything key-shaped masked.
 * @example scrubUpstreamText("Incorrect API key provided: sk-proj-abc123***xyz") === "Incorrect API key provided: [masked]"
 */
export function scrubUpstreamText(text: string): string {
  return text.replace(KEY_SHAPED, "[masked]");
}

const TIMEOUT_KINDS: ReadonlySet<string> = new Set(["timeout", "ttfb_timeout"]);

/**
 * @example upstreamFailure(result, noTargetMessage(plan, model.id), plan.residencyZone)
 */
export function upstreamFailure(
  result: Extract<FallbackResult<unknown>, { ok: false }>,
  noTargetsReason?: string,
  residencyZone?: string,
): GatewayError {
  if (result.tried.length === 0) {
    return new GatewayError(503, "service_unavailable", "no_available_target", noTargetsReason ?? "No provider is available for this model.");
  }
  const tried = result.tried
    .map((t) => {
      const said = t.failure.error.message && !refusedCredentials(t.failure.status) ? ` (${scrubUpstreamText(t.failure.error.message.slice(0, 120))})` : "";
      return `${t.provider}/${t.model}: ${t.failure.status ?? t.failure.kind}${said}`;
    })
    .join("; ");
  const zone = residencyZone
    ? ` No healthy provider answered in residency zone ${residencyZone}; by the team's residency rule (zone_bound_classes) this data is never sent to another zone.`
    : "";
  const summary = tried + zone;
  const final = result.final;
  if (final && refusedCredentials(final.status)) {
    const last = result.tried.at(-1);
    const why = `Provider ${last?.provider ?? "upstream"} refused the gateway's credentials (HTTP ${final.status}); your key is fine, the provider's configuration needs fixing.`;
    return new GatewayError(502, "upstream_error", "upstream_auth_failed", `${why} Tried: ${summary}`);
  }
  if (final && !final.retryable && final.status && final.status >= 400 && final.status < 500) {
    return new GatewayError(final.status, (final.error.type as ErrorType) || "invalid_request_error", final.error.code ?? "upstream_rejected", scrubUpstreamText(final.error.message));
  }
  const allTimedOut = result.tried.every((t) => TIMEOUT_KINDS.has(t.failure.kind));
  if (allTimedOut) return new GatewayError(504, "timeout_error", "upstream_timeout", `All targets timed out. Tried: ${summary}`);
  const retryAfter = result.tried.map((t) => t.failure.retryAfterMs).filter((x): x is number => x !== undefined);
  const headers: Record<string, string> = retryAfter.length ? { "retry-after": String(Math.ceil(Math.min(...retryAfter) / 1000)) } : {};
  const allRateLimited = result.tried.every((t) => t.failure.status === 429);
  if (allRateLimited) return new GatewayError(503, "service_unavailable", "upstream_rate_limited", `All targets are rate limited. Tried: ${summary}`, null, headers);
  // Zone-bound data whose zone has no working provider: the zone is unavailable to this request
  // (503), and the message names the residency rule that kept it from other zones.
  if (residencyZone) return new GatewayError(503, "service_unavailable", "residency_zone_unavailable", `All in-zone targets failed. Tried: ${summary}`, null, headers);
  return new GatewayError(502, "upstream_error", "upstream_failed", `All targets failed. Tried: ${summary}`, null, headers);
}

/** A provider answering 401/403 refuses the gateway's own credentials, not the client's. */
function refusedCredentials(status: number | undefined): boolean {
  return status === 401 || status === 403;
}
