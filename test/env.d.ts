type SwitchyardEnv = import("../src/env").Env;
type SwitchyardMigrations = import("cloudflare:test").D1Migration[];

declare namespace Cloudflare {
  interface Env extends SwitchyardEnv {
    TEST_MIGRATIONS: SwitchyardMigrations;
    /** The eu and apac gateway instances (own zone D1/R2/queues, this worker's D1 as control plane). */
    EDGE_EU: Fetcher;
    EDGE_APAC: Fetcher;
    /** The eu and apac zone stores, for scanning in tests (test/integration/routing-edge-worker.ts). */
    DB_EU: D1Database;
    DB_APAC: D1Database;
    BLOBS_EU: R2Bucket;
    BLOBS_APAC: R2Bucket;
  }
}
