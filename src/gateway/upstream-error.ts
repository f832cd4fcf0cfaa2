/**
 * @module
 * Turns "every target failed" into one client answer: the status says what kind of failure
 * (504 all timed out, 503 nothing available, 502 upstream errors), a non-retryable upstream 4xx
 * is passed on as-is, and the message lists what was tried. For zone-bound data it also says that
 * no other zone was tried: the failure is the zone's, and residency is why.
 */
import { GatewayError, type ErrorType } from "../errors/openai";
import type { FallbackResult } from "../routing/fallback";

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
    .map((t) => `${t.provider}/${t.model}: ${t.failure.status ?? t.failure.kind}${t.failure.error.message ? ` (${t.failure.error.message.slice(0, 120)})` : ""}`)
    .join("; ");
  const zone = residencyZone
    ? ` No healthy provider answered in residency zone ${residencyZone}; restricted data is never sent to another zone.`
    : "";
  const summary = tried + zone;
  const final = result.final;
  if (final && !final.retryable && final.status && final.status >= 400 && final.status < 500) {
    return new GatewayError(final.status, (final.error.type as ErrorType) || "invalid_request_error", final.error.code ?? "upstream_rejected", final.error.message);
  }
  const allTimedOut = result.tried.every((t) => TIMEOUT_KINDS.has(t.failure.kind));
  if (allTimedOut) return new GatewayError(504, "timeout_error", "upstream_timeout", `All targets timed out. Tried: ${summary}`);
  const retryAfter = result.tried.map((t) => t.failure.retryAfterMs).filter((x): x is number => x !== undefined);
  const headers: Record<string, string> = retryAfter.length ? { "retry-after": String(Math.ceil(Math.min(...retryAfter) / 1000)) } : {};
  const allRateLimited = result.tried.every((t) => t.failure.status === 429);
  if (allRateLimited) return new GatewayError(503, "service_unavailable", "upstream_rate_limited", `All targets are rate limited. Tried: ${summary}`, null, headers);
  return new GatewayError(502, "upstream_error", "upstream_failed", `All targets failed. Tried: ${summary}`, null, headers);
}
