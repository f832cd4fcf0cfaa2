/**
 * @module
 * Delegation Durable Object. Three kinds of instance, chosen by name, so no single object becomes
 * a hot spot:
 * - `agent:<id>`   — that agent's DPoP `jti`s (replay protection) and its MCP sessions;
 * - `trace:<txn>`  — the record of one delegation chain, every issuance and exchange in order;
 * - `gateway-keys` — the gateway's signing key pair (agent tokens, A2A response signatures).
 *
 * Consistency: an instance runs one request at a time between awaits, and SQLite storage calls are
 * synchronous, so `admit` checks and records a jti in one step with no interleaving — two isolates
 * racing the same proof both reach this one object and exactly one wins. Expired jtis are purged
 * on the way in; a jti only needs remembering while its proof could still pass the iat-skew check.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env";

export interface ChainEvent {
  ts: string;
  kind: "issued" | "exchanged" | "a2a_call";
  chain: string[];
  depth: number;
  /** jti of the token issued, or of the proof of the call. */
  jti: string;
  exp?: number;
  detail?: Record<string, string | number | boolean | null>;
}

export interface SessionRecord {
  server: string;
  upstream: string | null;
  /** The delegation chain (ids joined by " > ") the session was opened under; null for older rows. */
  chain: string | null;
}

export type AdmitResult = { ok: true; session: SessionRecord | null } | { ok: false; reason: "replayed" | "unknown_session" };

export interface GatewayKeys {
  kid: string;
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
}

export class Delegation extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS jtis (jti TEXT PRIMARY KEY, exp INTEGER NOT NULL)`);
    this.sql.exec(`CREATE INDEX IF NOT EXISTS jtis_exp ON jtis (exp)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS sessions (sid TEXT PRIMARY KEY, server TEXT NOT NULL, upstream TEXT, exp INTEGER NOT NULL, chain TEXT)`);
    // Objects created before sessions were bound to chains: add the column once (rows keep NULL,
    // which matches no chain, so such a session must be opened again).
    try {
      this.sql.exec("ALTER TABLE sessions ADD COLUMN chain TEXT");
    } catch {
      // Already there (every object created with the CREATE above, or migrated before).
    }
    this.sql.exec(`CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)`);
  }

  /**
   * Records a proof's jti (refusing one seen before) and resolves the MCP session it names, in
   * one call so a request costs one round trip. `expiresAt` is in seconds since the epoch.
   */
  admit(jti: string, expiresAt: number, sessionId: string | null): AdmitResult {
    const now = Math.floor(Date.now() / 1000);
    this.sql.exec("DELETE FROM jtis WHERE exp < ?", now);
    const seen = this.sql.exec("SELECT 1 FROM jtis WHERE jti = ?", jti).toArray();
    if (seen.length) return { ok: false, reason: "replayed" };
    this.sql.exec("INSERT INTO jtis (jti, exp) VALUES (?, ?)", jti, expiresAt);
    if (!sessionId) return { ok: true, session: null };
    const row = this.sql.exec<{ server: string; upstream: string | null; exp: number; chain: string | null }>("SELECT server, upstream, exp, chain FROM sessions WHERE sid = ?", sessionId).toArray()[0];
    if (!row || row.exp < now) return { ok: false, reason: "unknown_session" };
    return { ok: true, session: { server: row.server, upstream: row.upstream, chain: row.chain } };
  }

  /**
   * Binds a gateway session id to this agent, the delegation chain it acts under, an upstream
   * server and the upstream's own session.
   */
  openSession(sessionId: string, server: string, upstream: string | null, ttlSeconds: number, chain: string | null = null): void {
    const now = Math.floor(Date.now() / 1000);
    this.sql.exec("DELETE FROM sessions WHERE exp < ?", now);
    this.sql.exec("INSERT OR REPLACE INTO sessions (sid, server, upstream, exp, chain) VALUES (?, ?, ?, ?, ?)", sessionId, server, upstream, now + ttlSeconds, chain);
  }

  closeSession(sessionId: string): void {
    this.sql.exec("DELETE FROM sessions WHERE sid = ?", sessionId);
  }

  /** Appends one event to this trace's chain record. */
  record(event: ChainEvent): void {
    this.sql.exec("INSERT INTO events (body) VALUES (?)", JSON.stringify(event));
  }

  /** The whole record of this trace, oldest first. */
  events(): ChainEvent[] {
    return this.sql.exec<{ body: string }>("SELECT body FROM events ORDER BY seq").toArray().map((r) => JSON.parse(r.body) as ChainEvent);
  }

  /** The gateway key pair, created on first use (ES256). Only the `gateway-keys` instance is asked. */
  async keys(): Promise<GatewayKeys> {
    const stored = this.sql.exec<{ v: string }>("SELECT v FROM kv WHERE k = 'gateway-keys'").toArray()[0];
    if (stored) return JSON.parse(stored.v) as GatewayKeys;
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const privateJwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
    const publicJwk = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
    const kid = `gw-${crypto.randomUUID().slice(0, 8)}`;
    const keys: GatewayKeys = { kid, privateJwk: { ...privateJwk, kid, alg: "ES256" } as JsonWebKey, publicJwk: { ...publicJwk, kid, alg: "ES256", use: "sig" } as JsonWebKey };
    // Another request may have raced us across the await above; the first stored pair wins.
    this.sql.exec("INSERT OR IGNORE INTO kv (k, v) VALUES ('gateway-keys', ?)", JSON.stringify(keys));
    return JSON.parse(this.sql.exec<{ v: string }>("SELECT v FROM kv WHERE k = 'gateway-keys'").toArray()[0].v) as GatewayKeys;
  }
}
