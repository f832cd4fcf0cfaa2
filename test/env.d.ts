type SwitchyardEnv = import("../src/env").Env;
type SwitchyardMigrations = import("cloudflare:test").D1Migration[];

declare namespace Cloudflare {
  interface Env extends SwitchyardEnv {
    TEST_MIGRATIONS: SwitchyardMigrations;
    /** The second local gateway instance (REGION=eu), for residency-forwarding tests. */
    EDGE_EU: Fetcher;
  }
}
