#!/usr/bin/env node
// `npm start`: build the Worker, serve it production-like on workerd through Miniflare (no dev
// proxy), apply D1 migrations, seed the demo organisation, and fire cron triggers on schedule.
// State persists under .wrangler/state/v3 (the same files `wrangler d1 ... --local` uses).
import { readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_PORT, LOCAL_ADMIN_JWT_SECRET, STATE_DIR } from "./lib/local-config.mjs";
import { scheduleCrons } from "./lib/cron.mjs";
import { ROOT, applyMigrations, buildWorker, startGateway, withLocalD1 } from "./lib/runtime.mjs";
import { seedDemo } from "./lib/seed.mjs";
import { publishDemoDatasets } from "./lib/demo-datasets.mjs";
import { SignJWT } from "jose";

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

// Golden datasets live in R2, so they are published through the admin API once the gateway runs.
const seedToken = await new SignJWT({ role: "admin" }).setProtectedHeader({ alg: "HS256" }).setSubject("seed").setIssuer("switchyard")
  .setAudience("switchyard-admin").setIssuedAt().setExpirationTime("10m").sign(new TextEncoder().encode(LOCAL_ADMIN_JWT_SECRET));
const datasetsPublished = await publishDemoDatasets(url, seedToken).catch((err) => (console.warn(`demo datasets not published: ${err.message}`), 0));
console.log(`Switchyard gateway on ${url} (region ${region ?? "us"}) — ready in ${Date.now() - started} ms`);
console.log(`  migrations applied: ${applied.length ? applied.join(", ") : "none new"}; demo organisation "Acme" seeded (${datasetsPublished} golden datasets published)`);
console.log(`  credentials: npm run -s demo:credentials`);
console.log(`  crons: ${crons.join(" | ")} (fire one now: GET ${url}/cdn-cgi/handler/scheduled?cron=<expr>)`);

const stop = async () => {
  stopCrons();
  await mf.dispose();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
