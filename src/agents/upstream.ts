/**
 * @module
 * How the agent plane reaches upstream MCP servers and A2A agents: a `fetch` that re-checks the URL
 * against the URL policy (url-guard.ts) on every call, refuses redirects (an allowed host must not
 * bounce the gateway to a private one), gives up after UPSTREAM_TIMEOUT_MS, and readers that stop at
 * a byte ceiling, so an upstream can neither hang a call nor make the gateway buffer unbounded data.
 *
 * Tests need an upstream that is a real HTTP endpoint yet reachable with no network. A Worker
 * cannot `fetch` its own public hostname locally, and a service binding to itself would mean a new
 * entry in wrangler.toml for every region. So when ENABLE_MOCKS=1 (bound only in vitest.config.ts,
 * never in wrangler.toml) and the registered URL's path starts with /__mock/, the Request is handed
 * in-process to the mock Hono app — the same Request/Response objects, headers and streaming bodies
 * a network hop would carry, minus the socket. Any other URL goes to `fetch` as usual.
 */
import type { Env } from "../env";
import { mockUpstreams } from "./mock-upstreams";
import { checkUpstreamUrl, urlPolicyOf } from "./url-guard";
import { BodyTooLargeError, readBoundedBytes } from "../gateway/body";

const utf8 = new TextDecoder();

/** Upstream calls give up after this long; an agent should not hang on a dead tool server. */
const UPSTREAM_TIMEOUT_MS = 30_000;
/** Default ceiling on one upstream answer (AGENT_UPSTREAM_MAX_BYTES overrides). */
export const DEFAULT_UPSTREAM_MAX_BYTES = 4 * 1024 * 1024;

/** An upstream that may not be called, answered too much, or redirected. */
export class UpstreamRefused extends Error {
  constructor(readonly kind: "url" | "too_large" | "redirect", message: string) {
    super(message);
    this.name = "UpstreamRefused";
  }
}

export function mocksEnabled(env: Pick<Env, "ENABLE_MOCKS">): boolean {
  return env.ENABLE_MOCKS === "1";
}

export function upstreamMaxBytes(env: Pick<Env, "AGENT_UPSTREAM_MAX_BYTES">): number {
  const n = Number(env.AGENT_UPSTREAM_MAX_BYTES);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_UPSTREAM_MAX_BYTES;
}

/**
 * @example const res = await upstreamFetch(env, server.url, { method: "POST", headers, body });
 */
export async function upstreamFetch(env: Env, url: string, init: RequestInit): Promise<Response> {
  const verdict = checkUpstreamUrl(url, urlPolicyOf(env));
  if (!verdict.ok) throw new UpstreamRefused("url", `upstream URL refused: ${verdict.reason}`);
  const request = new Request(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS) });
  const response = mocksEnabled(env) && verdict.url.pathname.startsWith("/__mock/") ? await mockUpstreams.fetch(request, env) : await fetch(request);
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => undefined);
    throw new UpstreamRefused("redirect", `upstream answered with a redirect (${response.status}); redirects are not followed`);
  }
  return response;
}

/**
 * Reads an upstream answer as text, refusing it past `limit` bytes (counted as it streams, so a
 * lying or absent content-length changes nothing).
 */
export async function readUpstreamText(response: Response, limit: number): Promise<string> {
  try {
    return utf8.decode(await readBoundedBytes(response.body, limit, response.headers.get("content-length")));
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new UpstreamRefused("too_large", `upstream answer larger than ${limit} bytes`);
    throw err;
  }
}

/**
 * Passes an upstream body through unchanged (streaming, SSE included) but errors the stream once it
 * exceeds `limit` bytes, so a pass-through answer is bounded too.
 */
export function boundedBody(body: ReadableStream<Uint8Array> | null, limit: number): ReadableStream<Uint8Array> | null {
  if (!body) return null;
  let total = 0;
  // Erroring (not just ending) the stream tells the client the answer was cut, not complete.
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        total += chunk.byteLength;
        if (total > limit) controller.error(new UpstreamRefused("too_large", `upstream answer larger than ${limit} bytes`));
        else controller.enqueue(chunk);
      },
    }),
  );
}
