/**
 * @module
 * The edge Worker: one script, three entry points. It only wires things together; every
 * decision lives in src/.
 */
import type { Env } from "../src/env";
import { app } from "./app";
import { handleQueue } from "./consumers";
import { handleScheduled } from "./cron";

export { TeamBudget } from "../durable-objects/team-budget";
export { Delegation } from "../durable-objects/delegation";
export { ProviderHealth } from "../durable-objects/provider-health";

export default {
  fetch: app.fetch,
  queue: handleQueue,
  scheduled: handleScheduled,
} satisfies ExportedHandler<Env>;
