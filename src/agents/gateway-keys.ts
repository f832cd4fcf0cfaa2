/**
 * @module
 * The gateway's agent-token signing key pair, one for every region. Agents are processed by
 * their team's home edge (src/agents/home.ts), but a token may be issued by any edge's admin API
 * and a foreign edge must verify it before forwarding, so the key is configuration: it lives in
 * the control-plane D1 (`gateway_keys`), its private half sealed with SECRETS_KEY (AES-GCM, bound
 * to this use). The first edge to need it publishes the pair its Delegation DO already held (so
 * tokens it issued before keep verifying); every other edge adopts the stored pair.
 *
 * Without SECRETS_KEY (a bare single-region setup) the DO's pair is used as before.
 */
import { importJWK, type CryptoKey, type JWK } from "jose";
import { configDb } from "../config/control-db";
import { openSecret, sealSecret, type SecretBinding } from "../config/secrets";
import type { Env } from "../env";
import type { GatewayKeys } from "../../durable-objects/delegation";

export interface LoadedKeys {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

/** What the key store needs. */
export type GatewayKeyBindings = Pick<Env, "DELEGATION" | "DB" | "CONTROL_DB" | "SECRETS_KEY">;

const ROW_ID = "agent-tokens";
/** The sealed private JWK is bound to this use; no provider id can look like it. */
const SEAL_BINDING: SecretBinding = { providerId: "@gateway-keys", type: "agent-token-signing", baseUrl: null };
/** A token naming another kid re-reads the store at most this often (rotation, a fresh store). */
const RELOAD_MIN_MS = 1000;

let cached: Promise<LoadedKeys> | undefined;
let loadedAt = 0;

async function imported(k: GatewayKeys): Promise<LoadedKeys> {
  return {
    kid: k.kid,
    privateKey: (await importJWK(k.privateJwk as JWK, "ES256")) as CryptoKey,
    publicKey: (await importJWK(k.publicJwk as JWK, "ES256")) as CryptoKey,
    publicJwk: k.publicJwk as JWK,
  };
}

function doKeys(env: GatewayKeyBindings): Promise<GatewayKeys> {
  return env.DELEGATION.get(env.DELEGATION.idFromName("gateway-keys")).keys() as Promise<GatewayKeys>;
}

interface KeyRow {
  kid: string;
  public_jwk: string;
  sealed_private_jwk: string;
}

async function fromRow(secretsKey: string, row: KeyRow): Promise<GatewayKeys> {
  const privateJwk = JSON.parse(await openSecret(secretsKey, row.sealed_private_jwk, SEAL_BINDING)) as JsonWebKey;
  return { kid: row.kid, privateJwk, publicJwk: JSON.parse(row.public_jwk) as JsonWebKey };
}

async function load(env: GatewayKeyBindings): Promise<LoadedKeys> {
  if (!env.SECRETS_KEY) return imported(await doKeys(env));
  const control = configDb(env);
  const select = () => control.prepare("SELECT kid, public_jwk, sealed_private_jwk FROM gateway_keys WHERE id = ?").bind(ROW_ID).first<KeyRow>();
  let row = await select();
  if (!row) {
    const local = await doKeys(env);
    const sealed = await sealSecret(env.SECRETS_KEY, JSON.stringify(local.privateJwk), SEAL_BINDING);
    // Edges may race here: the first insert wins and everyone reads it back.
    await control.prepare("INSERT OR IGNORE INTO gateway_keys (id, kid, public_jwk, sealed_private_jwk, created_at) VALUES (?, ?, ?, ?, ?)")
      .bind(ROW_ID, local.kid, JSON.stringify(local.publicJwk), sealed, new Date().toISOString()).run();
    row = await select();
    if (!row) throw new Error("gateway key was not stored");
  }
  return imported(await fromRow(env.SECRETS_KEY, row));
}

/**
 * The gateway's signing keys (one control-plane read per isolate, then memory). `kid` is the
 * key id a token names: when it differs from the cached one, the store is read again (rate
 * limited), so a key published after this isolate loaded its own is picked up.
 * @example const { privateKey, kid } = await gatewayKeys(env)
 */
export async function gatewayKeys(env: GatewayKeyBindings, kid?: string): Promise<LoadedKeys> {
  if (cached && kid !== undefined && Date.now() - loadedAt > RELOAD_MIN_MS) {
    const current = await cached.catch(() => undefined);
    if (current && current.kid !== kid) cached = undefined;
  }
  if (!cached) {
    loadedAt = Date.now();
    cached = load(env).catch((err) => {
      cached = undefined;
      throw err;
    });
  }
  return cached;
}
