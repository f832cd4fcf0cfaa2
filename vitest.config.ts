import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { regionEdgeWorker } from "./test/integration/routing-edge-worker";

/**
 * Two projects:
 * - `workers`: unit tests of src/ (beside their modules) and integration tests in test/integration,
 *   inside workerd with real local D1, R2, Durable Objects and Queues from wrangler.toml.
 * - `e2e`: Node tests that start the gateway exactly as `npm start` does and drive it over HTTP
 *   with the official OpenAI SDK.
 */
export default defineConfig(async () => {
  const migrations = await readD1Migrations("d1-migrations");
  // A second gateway instance (REGION=eu) for residency forwarding, bound as EDGE_EU.
  const edgeEu = await regionEdgeWorker("eu", {
    ADMIN_JWT_SECRET: "test-admin-secret-0123456789abcdef",
    SECRETS_KEY: "dGVzdC1zZWNyZXRzLWtleS0zMi1ieXRlcy1sb25nISE=",
    CONFIG_CHECK_SECONDS: "0",
    FORWARD_SIGNING_KEY: "test-forward-signing-key-0123456789",
  });
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
                serviceBindings: { EDGE_EU: "edge-eu" },
                workers: [edgeEu],
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["src/**/*.test.ts", "durable-objects/**/*.test.ts", "test/integration/**/*.test.ts"],
            setupFiles: ["./test/integration/setup.ts"],
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
