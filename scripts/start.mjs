#!/usr/bin/env node
// `npm start`: build the Worker, serve it production-like on workerd through Miniflare (no dev
// proxy), apply D1 migrations, seed the demo organisation, and fire cron triggers on schedule.
// State persists under .wrangler/state/v3 (the same files `wrangler d1 ... --local` uses).
import { readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_PORT, STATE_DIR } from "./lib/local-config.mjs";
import { scheduleCrons } from "./lib/cron.mjs";
import { ROOT, applyMigrations, buildWorker, startGateway, withLocalD1 } from "./lib/runtime.mjs";
import { seedDemo } from "./lib/seed.mjs";

const port = Number(process.env.PORT ?? DEFAULT_PORT);
const region = process.env.REGION;

const started = Date.now();
const scriptPath = buildWorker();
const applied = await withLocalD1(STATE_DIR, async (db) => {
  const names = await applyMigrations(db);
  await seedDemo(db);
  return names;
});
const { mf, url } = await startGateway({ port, region, scriptPath });

const toml = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
const crons = JSON.parse((/crons\s*=\s*(\[[^\]]*\])/.exec(toml) ?? [, "[]"])[1]);
const stopCrons = scheduleCrons(crons, (expr) => {
  fetch(`${url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(expr)}`).catch((err) => console.error(`cron ${expr} failed: ${err.message}`));
});

console.log(`Switchyard gateway on ${url} (region ${region ?? "us"}) — ready in ${Date.now() - started} ms`);
console.log(`  migrations applied: ${applied.length ? applied.join(", ") : "none new"}; demo organisation "Acme" seeded`);
console.log(`  credentials: npm run -s demo:credentials`);
console.log(`  crons: ${crons.join(" | ")} (fire one now: GET ${url}/cdn-cgi/handler/scheduled?cron=<expr>)`);

const stop = async () => {
  stopCrons();
  await mf.dispose();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
