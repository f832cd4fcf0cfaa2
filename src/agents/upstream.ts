/**
 * @module
 * How the agent plane reaches upstream MCP servers and A2A agents. Normally a plain `fetch`.
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

/** Upstream calls give up after this long; an agent should not hang on a dead tool server. */
const UPSTREAM_TIMEOUT_MS = 30_000;

export function mocksEnabled(env: Pick<Env, "ENABLE_MOCKS">): boolean {
  return env.ENABLE_MOCKS === "1";
}

/**
 * @example const res = await upstreamFetch(env, server.url, { method: "POST", headers, body });
 */
export async function upstreamFetch(env: Env, url: string, init: RequestInit): Promise<Response> {
  const request = new Request(url, { ...init, signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS) });
  if (mocksEnabled(env) && new URL(url).pathname.startsWith("/__mock/")) return mockUpstreams.fetch(request, env);
  return fetch(request);
}
