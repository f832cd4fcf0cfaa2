import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { regionEdgeWorker, zoneStores } from "./test/integration/routing-edge-worker";
// @ts-expect-error: a plain ESM script without type declarations
import { buildDashboard } from "./scripts/build-dashboard.mjs";

/**
 * Two projects:
 * - `workers`: unit tests of src/ (beside their modules) and integration tests in test/integration,
 *   inside workerd with real local D1, R2, Durable Objects and Queues from wrangler.toml.
 * - `e2e`: Node tests that start the gateway exactly as `npm start` does and drive it over HTTP
 *   with the official OpenAI SDK.
 */
export default defineConfig(async () => {
  // The dashboard's static assets (served by the e2e gateways; wrangler.toml's [env.*] assets).
  buildDashboard();
  const migrations = await readD1Migrations("d1-migrations");
  // Two more gateway instances (REGION=eu, REGION=apac) with their own zone stores and the main
  // worker's D1 as their control plane, for multi-region tests; bound as EDGE_EU and EDGE_APAC.
  const edgeBindings = {
    ADMIN_JWT_SECRET: "test-admin-secret-0123456789abcdef",
    SECRETS_KEY: "dGVzdC1zZWNyZXRzLWtleS0zMi1ieXRlcy1sb25nISE=",
    CONFIG_CHECK_SECONDS: "0",
    FORWARD_SIGNING_KEY: "test-forward-signing-key-0123456789",
    // The test-only mock upstreams (MCP, A2A) on every edge: agent calls are served at home.
    ENABLE_MOCKS: "1",
  };
  const edgeEu = await regionEdgeWorker("eu", edgeBindings, { apac: "edge-apac" });
  const edgeApac = await regionEdgeWorker("apac", edgeBindings, { eu: "edge-eu" });
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  ADMIN_JWT_SECRET: "test-admin-secret-0123456789abcdef",
                  SECRETS_KEY: "dGVzdC1zZWNyZXRzLWtleS0zMi1ieXRlcy1sb25nISE=",
                  CONFIG_CHECK_SECONDS: "0",
                  // Circuit breakers half-open after 1 s in tests (chaos and drill recovery).
                  BREAKER_COOLDOWN_MS: "1000",
                  ENABLE_MOCKS: "1",
                  FORWARD_SIGNING_KEY: "test-forward-signing-key-0123456789",
                },
                serviceBindings: { EDGE_EU: "edge-eu", EDGE_APAC: "edge-apac" },
                // The eu and apac zone stores, so tests can scan them (and migrate their D1).
                d1Databases: { DB_EU: zoneStores("eu").d1, DB_APAC: zoneStores("apac").d1 },
                r2Buckets: { BLOBS_EU: zoneStores("eu").r2, BLOBS_APAC: zoneStores("apac").r2 },
                workers: [edgeEu, edgeApac],
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["src/**/*.test.ts", "durable-objects/**/*.test.ts", "test/integration/**/*.test.ts", "dashboard/src/**/*.test.ts"],
            setupFiles: ["./test/integration/setup.ts"],
            // Many tests wait for the queue and its consumer (helpers' `eventually`, 10 s): under the
            // default 5 s a loaded CI machine failed them before their own wait could (a logging
            // test did, 2026-12-03). No test asserts a duration; this only bounds a hung one.
            testTimeout: 30_000,
          },
        },
        {
          test: {
            name: "e2e",
            environment: "node",
            include: ["test/e2e/**/*.test.ts"],
            globalSetup: ["./test/e2e/global-setup.ts"],
            testTimeout: 30_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  };
});
