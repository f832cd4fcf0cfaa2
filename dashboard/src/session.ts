/**
 * @module
 * The sign-in token: taken once from `#token=<JWT>` (then removed from the address bar with
 * history.replaceState, so it is neither bookmarked nor sent anywhere), kept in sessionStorage
 * (gone when the tab closes), and only ever sent as `Authorization: Bearer` to /admin/v1.
 * The claims read here only label the page; the admin API verifies the token on every call.
 */
const KEY = "switchyard.admin-token";

export interface SessionClaims {
  sub: string;
  role: string;
  team?: string;
  /** Seconds since the epoch. */
  exp?: number;
}

/**
 * The token in a location hash (`#token=…`, optionally followed by `&…`), or null.
 * @example tokenFromHash("#token=abc&x=1") // "abc"
 */
export function tokenFromHash(hash: string): string | null {
  const m = /^#token=([^&]+)/.exec(hash);
  return m ? decodeURIComponent(m[1]) : null;
}

/** Moves a token from the address bar into sessionStorage; true when one was there. */
export function adoptTokenFromLocation(): boolean {
  const token = tokenFromHash(location.hash);
  if (!token) return false;
  sessionStorage.setItem(KEY, token);
  history.replaceState(null, "", `${location.pathname}#/`);
  return true;
}

export function currentToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token.trim());
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}

/**
 * The payload of a JWT, unverified (display only), or null when it is not one.
 * @example readClaims("x.eyJzdWIiOiJhIiwicm9sZSI6ImFkbWluIn0.y")?.role // "admin"
 */
export function readClaims(token: string): SessionClaims | null {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
    const c = JSON.parse(json) as Partial<SessionClaims>;
    return typeof c.sub === "string" && typeof c.role === "string" ? { sub: c.sub, role: c.role, team: c.team, exp: c.exp } : null;
  } catch {
    return null;
  }
}
