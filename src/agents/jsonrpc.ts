/**
 * @module
 * JSON-RPC 2.0 shapes and the agent plane's error answers. MCP clients read protocol errors from
 * the JSON-RPC body; authentication failures also carry HTTP 401 and a `WWW-Authenticate: DPoP`
 * challenge (RFC 9449 §7.1) so OAuth-aware clients know what to fix.
 */
import { AgentAuthError } from "./dpop";

export type RpcId = string | number | null;

export interface RpcMessage {
  jsonrpc: "2.0";
  id?: RpcId;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: unknown;
}

/** Error codes in the JSON-RPC server range, one per refusal kind. */
export const RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  unauthenticated: -32001,
  unknownServer: -32002,
  toolNotAuthorized: -32010,
  argumentsNotAuthorized: -32011,
  delegationRefused: -32012,
  upstreamError: -32020,
} as const;

export function rpcError(id: RpcId, code: number, message: string, data?: Record<string, unknown>, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", id, error: { code, message, ...(data ? { data } : {}) } }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** 401 (or the error's own status) with a DPoP challenge naming the reason. */
export function authErrorResponse(err: AgentAuthError, id: RpcId = null): Response {
  const error = err.code === "invalid_dpop_proof" ? "invalid_dpop_proof" : err.status === 401 ? "invalid_token" : "insufficient_scope";
  const challenge = `DPoP error="${error}", error_description="${err.message.replace(/["\\]/g, "'")}", algs="ES256 ES384 EdDSA RS256 PS256"`;
  return rpcError(id, err.status === 401 ? RPC.unauthenticated : RPC.delegationRefused, err.message, { reason: err.code }, err.status, err.status === 401 ? { "www-authenticate": challenge } : {});
}

/** Parses one JSON-RPC message; batches are refused (MCP 2025-06-18 dropped them, and one check per request keeps the policy simple). */
export function parseRpc(text: string): { ok: true; msg: RpcMessage } | { ok: false; response: Response } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, response: rpcError(null, RPC.parseError, "Body is not valid JSON.", undefined, 400) };
  }
  if (Array.isArray(raw)) return { ok: false, response: rpcError(null, RPC.invalidRequest, "JSON-RPC batches are not accepted; send one message per request.", undefined, 400) };
  if (!raw || typeof raw !== "object") return { ok: false, response: rpcError(null, RPC.invalidRequest, "Body must be a JSON-RPC 2.0 object.", undefined, 400) };
  const msg = raw as RpcMessage;
  const id = typeof msg.id === "string" || typeof msg.id === "number" ? msg.id : null;
  if (msg.jsonrpc !== "2.0") return { ok: false, response: rpcError(id, RPC.invalidRequest, 'jsonrpc must be "2.0".', undefined, 400) };
  if (msg.method !== undefined && typeof msg.method !== "string") return { ok: false, response: rpcError(id, RPC.invalidRequest, "method must be a string.", undefined, 400) };
  if (msg.params !== undefined && (typeof msg.params !== "object" || msg.params === null || Array.isArray(msg.params))) {
    return { ok: false, response: rpcError(id, RPC.invalidParams, "params must be an object.", undefined, 400) };
  }
  return { ok: true, msg };
}

/**
 * Rewrites every JSON-RPC message in an SSE body with `fn` (comments and other fields kept).
 * @example await mapSse(text, (m) => m)
 */
export function mapSse(text: string, fn: (m: RpcMessage) => RpcMessage): string {
  return text
    .split(/\r?\n\r?\n/)
    .map((event) => {
      const lines = event.split(/\r?\n/);
      const data = lines.filter((l) => l.startsWith("data:")).map((l) => l.slice(5).replace(/^ /, "")).join("\n");
      if (!data) return event;
      let msg: RpcMessage;
      try {
        msg = JSON.parse(data) as RpcMessage;
      } catch {
        return event;
      }
      return [...lines.filter((l) => !l.startsWith("data:")), `data: ${JSON.stringify(fn(msg))}`].join("\n");
    })
    .join("\n\n");
}
