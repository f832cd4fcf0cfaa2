/**
 * @module
 * The OpenAI error envelope, the only error shape the data plane answers with.
 * Every failure inside the gateway is a {@link GatewayError}; the edge turns it into
 * `{"error":{"message","type","code","param"}}` with the matching HTTP status.
 */

export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "insufficient_quota"
  | "api_error"
  | "upstream_error"
  | "timeout_error"
  | "service_unavailable";

export interface ErrorEnvelope {
  error: { message: string; type: ErrorType; code: string | null; param: string | null };
}

/** A failure with everything needed to answer the client. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "GatewayError";
  }

  toEnvelope(): ErrorEnvelope {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

/**
 * Builds the JSON response for an error.
 * @example errorResponse(new GatewayError(401, "authentication_error", "invalid_api_key", "Bad key"))
 */
export function errorResponse(err: GatewayError, extraHeaders: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(err.toEnvelope()), {
    status: err.status,
    headers: { "content-type": "application/json", ...err.headers, ...extraHeaders },
  });
}

export const badRequest = (message: string, param: string | null = null, code = "invalid_request") =>
  new GatewayError(400, "invalid_request_error", code, message, param);
export const unauthorized = (message: string, code = "invalid_api_key") =>
  new GatewayError(401, "authentication_error", code, message);
export const forbidden = (message: string, code: string) => new GatewayError(403, "permission_error", code, message);
export const notFound = (message: string, code: string, param: string | null = null) =>
  new GatewayError(404, "not_found_error", code, message, param);
