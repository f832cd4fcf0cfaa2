/**
 * Starts the gateway the way `npm start` does (built bundle on Miniflare, migrations, demo
 * seed) in a throwaway state directory, and hands its URL and demo credentials to the tests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startReceiver } from "./otlp-receiver";
// @ts-expect-error: plain ESM scripts without type declarations
import { applyMigrations, buildWorker, ROOT, startGateway, withLocalD1 } from "../../scripts/lib/runtime.mjs";
// @ts-expect-error: plain ESM scripts without type declarations
import { seedDemo } from "../../scripts/lib/seed.mjs";
// @ts-expect-error: plain ESM scripts without type declarations
import { demoKeyRows, DEMO_WORKLOADS } from "../../scripts/lib/demo-org.mjs";
// @ts-expect-error: plain ESM scripts without type declarations
import { LOCAL_ADMIN_JWT_SECRET } from "../../scripts/lib/local-config.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    gatewayUrl: string;
    adminSecret: string;
    demoKeys: Array<{ workload: string; team: string; dataClass: string; apiKey: string }>;
    /** The local OTLP collector (and OpenAI-compatible upstream) the gateway exports to. */
    otlpUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const stateDir = mkdtempSync(path.join(tmpdir(), "switchyard-e2e-"));
  const rel = path.relative(ROOT, stateDir);
  const scriptPath = buildWorker(path.join(stateDir, "dist"));
  await withLocalD1(rel, async (db: unknown) => {
    await applyMigrations(db);
    await seedDemo(db);
  });
  // OpenTelemetry export on, to a local collector, as `npm start` would take it from its environment.
  const receiver = await startReceiver();
  const bindings = {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20otel-test,x-tenant=acme",
    OTEL_SERVICE_NAME: "switchyard-e2e",
  };
  const { mf, url } = await startGateway({ scriptPath, persistDir: rel, bindings });
  project.provide("otlpUrl", receiver.url);
  project.provide("gatewayUrl", url);
  project.provide("adminSecret", LOCAL_ADMIN_JWT_SECRET);
  project.provide(
    "demoKeys",
    demoKeyRows().map((k: { workload: string; team: string; apiKey: string }) => ({
      workload: k.workload,
      team: k.team,
      dataClass: DEMO_WORKLOADS[k.workload].default_data_class,
      apiKey: k.apiKey,
    })),
  );
  return async () => {
    await mf.dispose();
    receiver.server.close();
    rmSync(stateDir, { recursive: true, force: true });
  };
}
