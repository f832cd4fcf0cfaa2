import { applyD1Migrations, env } from "cloudflare:test";
import { beforeAll } from "vitest";

// Storage is isolated per test file, so migrations are applied for each file before its tests
// (applyD1Migrations skips those already applied).
beforeAll(async () => {
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  // The eu and apac edges' zone D1s (one migrations folder serves control plane and zones alike).
  await applyD1Migrations(env.DB_EU, env.TEST_MIGRATIONS);
  await applyD1Migrations(env.DB_APAC, env.TEST_MIGRATIONS);
});
