#!/usr/bin/env node
// Deploys the gateway per region: `wrangler deploy --env <region>` for each region given (default
// all of us, eu, apac). `--dry-run` builds each region's bundle into dist/<region> without
// deploying (works offline). Regions run one after another; the first failure stops the rest.
// Usage: node scripts/deploy-regions.mjs [--dry-run] [us|eu|apac ...]
import { spawnSync } from "node:child_process";

const REGIONS = ["us", "eu", "apac"];
const args = process.argv.slice(2);
const dryRun = args.includes("--dry-run");
const unknownFlags = args.filter((a) => a.startsWith("-") && a !== "--dry-run");
const regions = args.filter((a) => !a.startsWith("-"));
const bad = regions.filter((r) => !REGIONS.includes(r));
if (unknownFlags.length || bad.length) {
  console.error(`usage: deploy-regions.mjs [--dry-run] [${REGIONS.join("|")} ...]${bad.length ? `\nunknown region: ${bad.join(", ")}` : ""}${unknownFlags.length ? `\nunknown flag: ${unknownFlags.join(", ")}` : ""}`);
  process.exit(2);
}

for (const region of regions.length ? regions : REGIONS) {
  const wranglerArgs = ["wrangler", "deploy", "--env", region, ...(dryRun ? ["--dry-run", "--outdir", `dist/${region}`] : [])];
  console.log(`\n▶ ${region}: npx ${wranglerArgs.join(" ")}`);
  const r = spawnSync("npx", wranglerArgs, { stdio: "inherit", env: { ...process.env, ...(dryRun ? { WRANGLER_SEND_METRICS: "false" } : {}) } });
  if (r.status !== 0) {
    console.error(`✗ ${region} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
  console.log(`✓ ${region}${dryRun ? ` built into dist/${region}` : " deployed"}`);
}
