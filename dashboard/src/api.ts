/**
 * @module
 * Reads the admin API with the session's token as a bearer header (never in the URL). Answers
 * are cached for a short while per path, so moving between views does not refetch everything.
 */
import { currentToken } from "./session";

/** An admin API answer other than 2xx, with its RFC 9457 problem detail when given. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly path: string, readonly detail: string) {
    super(`${status} ${path}: ${detail}`);
  }
}

const CACHE_MS = 30_000;
const cache = new Map<string, { at: number; value: Promise<unknown> }>();

/** Listeners told about 401s (the token expired or was refused): the shell signs out. */
const unauthorizedListeners = new Set<(e: ApiError) => void>();
export function onUnauthorized(fn: (e: ApiError) => void): void {
  unauthorizedListeners.add(fn);
}

/**
 * GET an admin API path (`/admin/v1/...`) as JSON, or as text when it is not JSON.
 * @example const teams = await apiGet<{ data: Team[] }>("/admin/v1/teams");
 */
export function apiGet<T>(path: string, { fresh = false } = {}): Promise<T> {
  if (!path.startsWith("/admin/v1/")) return Promise.reject(new ApiError(400, path, "The dashboard reads the admin API only."));
  const hit = cache.get(path);
  if (!fresh && hit && Date.now() - hit.at < CACHE_MS) return hit.value as Promise<T>;
  const value = load<T>(path);
  cache.set(path, { at: Date.now(), value });
  value.catch(() => cache.delete(path));
  return value;
}

async function load<T>(path: string): Promise<T> {
  const token = currentToken();
  if (!token) throw new ApiError(401, path, "Not signed in.");
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}`, accept: "application/json" }, credentials: "omit", cache: "no-store" });
  const type = res.headers.get("content-type") ?? "";
  if (!res.ok) {
    let detail = res.statusText;
    if (type.includes("json")) {
      const body = (await res.json().catch(() => ({}))) as { detail?: string; title?: string };
      detail = body.detail ?? body.title ?? detail;
    }
    const err = new ApiError(res.status, path, detail);
    if (res.status === 401) for (const fn of unauthorizedListeners) fn(err);
    throw err;
  }
  return (type.includes("json") ? await res.json() : await res.text()) as T;
}

export function clearApiCache(): void {
  cache.clear();
}
