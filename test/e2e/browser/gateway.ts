/**
 * A gateway of its own for the dashboard's browser tests, started the way `npm start` starts one
 * (built bundle with the dashboard assets on Miniflare, migrations, the demo organisation, its
 * golden datasets), then with the scheduled jobs fired once — daily (drills, audits, discovery,
 * finance, adversarial suites), monthly (reports and their emails) and quarterly (access review,
 * governance review, NPS round) — so every view has the records a running deployment would have.
 * Its own instance, because firing crons would change what the other e2e files see.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
// @ts-expect-error: plain ESM scripts without type declarations
import { applyMigrations, buildWorker, ROOT, startGateway, withLocalD1 } from "../../../scripts/lib/runtime.mjs";
// @ts-expect-error: plain ESM scripts without type declarations
import { seedDemo } from "../../../scripts/lib/seed.mjs";
// @ts-expect-error: plain ESM scripts without type declarations
import { publishDemoDatasets } from "../../../scripts/lib/demo-datasets.mjs";
// @ts-expect-error: plain ESM scripts without type declarations
import { LOCAL_ADMIN_JWT_SECRET } from "../../../scripts/lib/local-config.mjs";
import { signAdminToken, type Principal } from "../../../src/admin/auth";

export const CRONS = ["0 3 * * *", "0 6 1 * *", "0 7 1 1,4,7,10 *", "*/5 * * * *"];

export interface DashboardGateway {
  url: string;
  token(principal: Principal): Promise<string>;
  stop(): Promise<void>;
}

export async function startDashboardGateway(): Promise<DashboardGateway> {
  const stateDir = mkdtempSync(path.join(tmpdir(), "switchyard-dashboard-e2e-"));
  const rel = path.relative(ROOT, stateDir);
  const scriptPath = buildWorker(path.join(stateDir, "dist"));
  await withLocalD1(rel, async (db: unknown) => {
    await applyMigrations(db);
    await seedDemo(db);
  });
  const { mf, url } = await startGateway({ scriptPath, persistDir: rel });
  const token = (p: Principal) => signAdminToken(LOCAL_ADMIN_JWT_SECRET, p, "1h");
  await publishDemoDatasets(url, await token({ sub: "seed", role: "admin" }));
  for (const cron of CRONS) {
    const res = await fetch(`${url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(cron)}`);
    if (!res.ok) throw new Error(`cron ${cron}: ${res.status}`);
  }
  return {
    url,
    token,
    stop: async () => {
      await mf.dispose();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
