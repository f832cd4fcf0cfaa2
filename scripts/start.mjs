#!/usr/bin/env node
// `npm start`: build the Worker once, serve it production-like on workerd through Miniflare (no
// dev proxy) as three regional edges — us on PORT, eu on PORT+1, apac on PORT+2 — each with its
// own zone D1/R2/queues/Durable Objects and the shared control plane (scripts/lib/regions.mjs);
// apply D1 migrations to every store, seed the demo organisation, and fire cron triggers on
// schedule on every edge. State persists per store: .wrangler/state/control/ for the control
// plane, .wrangler/state/<region>/ for each zone.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_PORT, LOCAL_ADMIN_JWT_SECRET, REGIONS, REGION_STATE_ROOT, STATE_DIR } from "./lib/local-config.mjs";
import { scheduleCrons } from "./lib/cron.mjs";
import { startEdges, withRegionD1s } from "./lib/regions.mjs";
import { ROOT, applyMigrations, buildWorker } from "./lib/runtime.mjs";
import { seedDemo } from "./lib/seed.mjs";
import { publishDemoDatasets } from "./lib/demo-datasets.mjs";
import { SignJWT } from "jose";

const port = Number(process.env.PORT ?? DEFAULT_PORT);

const started = Date.now();
if (existsSync(path.join(ROOT, STATE_DIR)) && !existsSync(path.join(ROOT, REGION_STATE_ROOT, "control"))) {
  // Earlier versions kept every edge's state in one store; it cannot be split by zone after the
  // fact, so the edges start fresh (the demo organisation is re-seeded; its keys are the same).
  console.log(`  state now lives per zone under ${REGION_STATE_ROOT}/{control,${REGIONS.join(",")}}/; ${STATE_DIR} is no longer read by npm start (npm run bench still uses it)`);
}
const scriptPath = buildWorker();
const applied = await withRegionD1s(async ({ control, zones }) => {
  // One migrations folder for every D1: each store only ever holds its own rows (README "Regions").
  const names = await applyMigrations(control);
  for (const r of REGIONS) await applyMigrations(zones[r]);
  // Configuration into the control plane; each team's synthetic history into its own zone.
  await seedDemo(control, new Date(), zones);
  return names;
});
const edges = await startEdges({ port, scriptPath });
const { urls } = edges;

const toml = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
const crons = JSON.parse((/crons\s*=\s*(\[[^\]]*\])/.exec(toml) ?? [, "[]"])[1]);
const stopCrons = scheduleCrons(crons, (expr) => {
  edges.fireCron(expr).catch((err) => console.error(`cron ${expr} failed: ${err.message}`));
});

// Golden datasets live in R2, so they are published through the admin API once the edges run
// (through the us edge: evaluations run there locally; see README "Workloads and evaluations").
const seedToken = await new SignJWT({ role: "admin" }).setProtectedHeader({ alg: "HS256" }).setSubject("seed").setIssuer("switchyard")
  .setAudience("switchyard-admin").setIssuedAt().setExpirationTime("10m").sign(new TextEncoder().encode(LOCAL_ADMIN_JWT_SECRET));
const datasetsPublished = await publishDemoDatasets(urls.us, seedToken)
  .catch((err) => (console.warn(`demo datasets not published: ${err.message}`), 0));
console.log(`Switchyard edges ready in ${Date.now() - started} ms: ${REGIONS.map((r) => `${r} ${urls[r]}`).join(", ")}`);
console.log(`  migrations applied: ${applied.length ? applied.join(", ") : "none new"}; demo organisation "Acme" seeded (${datasetsPublished} golden datasets published)`);
console.log(`  credentials: npm run -s demo:credentials`);
console.log(`  state: ${REGION_STATE_ROOT}/control (control plane), ${REGIONS.map((r) => `${REGION_STATE_ROOT}/${r}`).join(", ")} (zones); npm run residency:report`);
console.log(`  crons: ${crons.join(" | ")} on every edge (fire one now: GET <edge>/cdn-cgi/handler/scheduled?cron=<expr>)`);

const stop = async () => {
  stopCrons();
  await edges.dispose();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
