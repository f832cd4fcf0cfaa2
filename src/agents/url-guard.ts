/**
 * @module
 * Which URLs the agent plane may call (A2A callees, MCP servers): a pure decision, checked when an
 * admin writes a URL and again before every upstream call (the allow-list may have changed since).
 *
 * - https only; no credentials in the URL (`user:pass@`).
 * - IP literals must be ordinary public unicast addresses: loopback, private, link-local (cloud
 *   metadata at 169.254.169.254), unique-local, CGNAT, multicast, reserved and the IPv6 forms that
 *   embed an IPv4 address (mapped, 6to4, NAT64, Teredo) are refused. The WHATWG URL parser already
 *   turns `http://2130706433/` and `0x7f.1` into dotted quads, so those are caught too.
 * - Host names that only resolve inside a network (`localhost`, `*.internal`, `*.local`,
 *   `*.localhost`, `*.home.arpa`, single-label names) are refused.
 * - Then the host must match the allow-list (`AGENT_URL_ALLOWLIST`: comma-separated `host`,
 *   `*.domain` for its subdomains, or `*` for any public host). No allow-list means no outbound
 *   agent URLs at all: the gateway fails closed until an operator names the hosts it may call.
 * - The test-only mock upstreams (`/__mock/*` when ENABLE_MOCKS=1) pass, so tests need no network.
 *
 * DNS names that resolve to private addresses are not resolved here (Workers has no DNS API);
 * Workers' `fetch` cannot reach the account's private networks, and redirects are refused by
 * upstream.ts, so an allowed host cannot bounce a call elsewhere.
 */
import ipaddr from "ipaddr.js";

export interface UrlPolicy {
  /** Raw AGENT_URL_ALLOWLIST value. */
  allowlist: string | undefined;
  /** True when the test mocks are served (ENABLE_MOCKS=1). */
  mocks: boolean;
}

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

const INTERNAL_SUFFIXES = [".localhost", ".internal", ".local", ".home.arpa", ".lan", ".intranet", ".corp"];

function allowListed(host: string, allowlist: string | undefined): boolean {
  const entries = (allowlist ?? "").split(",").map((e) => e.trim().toLowerCase()).filter(Boolean);
  return entries.some((e) => e === "*" || e === host || (e.startsWith("*.") && host.endsWith(e.slice(1)) && host.length > e.length - 1));
}

/** Why an IP literal is not a public unicast address, or null when it is. */
function ipRefusal(host: string): string | null {
  const literal = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (!ipaddr.isValid(literal)) return null;
  const range = ipaddr.parse(literal).range();
  return range === "unicast" ? null : `${literal} is a ${range} address`;
}

/**
 * Decides whether the agent plane may call `raw`.
 * @example checkUpstreamUrl("http://169.254.169.254/", { allowlist: "*", mocks: false }) // { ok: false, ... }
 */
export function checkUpstreamUrl(raw: string, policy: UrlPolicy): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not a URL" };
  }
  if (policy.mocks && url.pathname.startsWith("/__mock/")) return { ok: true, url };
  if (url.protocol !== "https:") return { ok: false, reason: `scheme ${url.protocol.replace(":", "")} is not allowed (https only)` };
  if (url.username || url.password) return { ok: false, reason: "credentials in the URL are not allowed" };
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  const ip = ipRefusal(host);
  if (ip) return { ok: false, reason: `${ip}; only public addresses may be called` };
  const isIp = ipaddr.isValid(host.replace(/^\[|\]$/g, ""));
  if (!isIp && (host === "localhost" || !host.includes(".") || INTERNAL_SUFFIXES.some((s) => host.endsWith(s)))) {
    return { ok: false, reason: `host ${host} is an internal name` };
  }
  if (!allowListed(host, policy.allowlist)) return { ok: false, reason: `host ${host} is not in AGENT_URL_ALLOWLIST` };
  return { ok: true, url };
}

/** The policy of an environment. */
export function urlPolicyOf(env: { AGENT_URL_ALLOWLIST?: string; ENABLE_MOCKS?: string }): UrlPolicy {
  return { allowlist: env.AGENT_URL_ALLOWLIST, mocks: env.ENABLE_MOCKS === "1" };
}
