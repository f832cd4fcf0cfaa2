// Local-only settings shared by `npm start`, `npm run bench`, the demo credentials and the e2e
// tests. These secrets exist only for local development; deployed regions set ADMIN_JWKS_URL
// and SECRETS_KEY with `wrangler secret put`.
export const LOCAL_ADMIN_JWT_SECRET = "switchyard-local-dev-admin-secret-change-me";
export const LOCAL_SECRETS_KEY = "c3dpdGNoeWFyZC1sb2NhbC1zZWNyZXRzLWtleS0zMmI="; // base64 of 32 bytes
/** HMAC key of signed forwards between the local edges (deployed: `wrangler secret put FORWARD_SIGNING_KEY`). */
export const LOCAL_FORWARD_SIGNING_KEY = "switchyard-local-forward-signing-key-change-me";
export const DEFAULT_PORT = 8787;
/** `npm start`'s edges, in port order: us on PORT, eu on PORT+1, apac on PORT+2. */
export const REGIONS = ["us", "eu", "apac"];
/** The single-edge gateway's state (`npm run bench`, the e2e tests): one store, as `wrangler dev` keeps it. */
export const STATE_DIR = ".wrangler/state/v3";
/** `npm start`'s state: `control/` for the control plane, `us/`, `eu/`, `apac/` for each zone (scripts/lib/regions.mjs). */
export const REGION_STATE_ROOT = ".wrangler/state";
