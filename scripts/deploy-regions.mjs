#!/usr/bin/env node
// Deploys the gateway per region: `wrangler deploy --env <region>` for each region given (default
// all of us, eu, apac). Before each deploy it creates the region's queues (scripts/lib/queues.mjs)
// and its semantic-cache Vectorize index
// and the metadata indexes its queries filter on (scripts/lib/vectorize.mjs; re-runs are fine:
// "already exists" is not an error). `--dry-run` prints those Vectorize commands without running
// them and builds each region's bundle into dist/<region> without deploying (works offline).
// It also applies the D1 migrations: the global control plane (CONTROL_DB, once) and each region's
// zone D1 (DB); one migrations folder serves both, each store holding only its own rows. Regions run
// one after another, us first (eu and apac bind its TeamBudget namespace with script_name); the
// first failure stops the rest. Each region needs the secrets ADMIN_JWKS_URL or ADMIN_JWT_SECRET,
// SECRETS_KEY and FORWARD_SIGNING_KEY (the same value in every region):
// `npx wrangler secret put FORWARD_SIGNING_KEY --env <region>`.
// Usage: node scripts/deploy-regions.mjs [--dry-run] [--vectorize-dimensions=N] [us|eu|apac ...]
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { queueNames } from "./lib/queues.mjs";
import { ALREADY_EXISTS, DEFAULT_VECTORIZE_DIMENSIONS, vectorizeCommands, vectorizeIndexNames } from "./lib/vectorize.mjs";

const REGIONS = ["us", "eu", "apac"];
const args = process.argv.slice(2);
const dryRun = args.includes("--dry-run");
const dimsArg = args.find((a) => a.startsWith("--vectorize-dimensions="));
const dimensions = dimsArg ? Number(dimsArg.split("=")[1]) : DEFAULT_VECTORIZE_DIMENSIONS;
const unknownFlags = args.filter((a) => a.startsWith("-") && a !== "--dry-run" && a !== dimsArg);
const regions = args.filter((a) => !a.startsWith("-"));
const bad = regions.filter((r) => !REGIONS.includes(r));
const badDims = !Number.isInteger(dimensions) || dimensions < 1 || dimensions > 1536;
if (unknownFlags.length || bad.length || badDims) {
  console.error(`usage: deploy-regions.mjs [--dry-run] [--vectorize-dimensions=N] [${REGIONS.join("|")} ...]${bad.length ? `\nunknown region: ${bad.join(", ")}` : ""}${unknownFlags.length ? `\nunknown flag: ${unknownFlags.join(", ")}` : ""}${badDims ? "\n--vectorize-dimensions must be an integer from 1 to 1536" : ""}`);
  process.exit(2);
}

const toml = readFileSync(new URL("../wrangler.toml", import.meta.url), "utf8");
const indexNames = vectorizeIndexNames(toml);
const queues = queueNames(toml);

/**
 * Runs (or, dry, prints) commands that create something; one that finds it already there is fine.
 * @param {string[][]} commands npx argument lists
 * @returns {boolean} false when one failed (its output is printed)
 */
function ensureAll(commands) {
  for (const command of commands) {
    console.log(`  ${dryRun ? "would run" : "▶"}: npx ${command.join(" ")}`);
    if (dryRun) continue;
    const r = spawnSync("npx", command, { encoding: "utf8" });
    const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
    if (r.status === 0) continue;
    if (ALREADY_EXISTS.test(output)) {
      console.log("    already there");
      continue;
    }
    process.stderr.write(output);
    return false;
  }
  return true;
}

/** Creates the region's queues (dead-letter queues included) unless they exist; false when one failed. */
function ensureQueues(region) {
  return ensureAll((queues[region] ?? []).map((name) => ["wrangler", "queues", "create", name]));
}

/** Creates the region's Vectorize index and metadata indexes; false when one failed. */
function ensureVectorize(region) {
  const indexName = indexNames[region];
  if (!indexName) {
    console.log(`  (no SEMANTIC_CACHE Vectorize index in [env.${region}]; semantic entries stay in isolate memory)`);
    return true;
  }
  return ensureAll(vectorizeCommands(indexName, dimensions));
}

/** Runs (or, dry, prints) one wrangler command; false when it failed. */
function wrangler(args) {
  console.log(`  ${dryRun ? "would run" : "▶"}: npx wrangler ${args.join(" ")}`);
  if (dryRun) return true;
  return spawnSync("npx", ["wrangler", ...args], { stdio: "inherit" }).status === 0;
}

let controlMigrated = false;
// us first whatever the order given: the others bind its TeamBudget namespace.
for (const region of REGIONS.filter((r) => (regions.length ? regions : REGIONS).includes(r))) {
  if (!controlMigrated) {
    console.log(`\n▶ control plane: D1 migrations (switchyard-control, shared by every region)`);
    if (!wrangler(["d1", "migrations", "apply", "CONTROL_DB", "--remote", "--env", region])) process.exit(1);
    controlMigrated = true;
  }
  console.log(`▶ ${region}: zone D1 migrations`);
  if (!wrangler(["d1", "migrations", "apply", "DB", "--remote", "--env", region])) process.exit(1);
  console.log(`\n▶ ${region}: queues (usage events, their dead-letter queue, eval jobs)`);
  if (!ensureQueues(region)) {
    console.error(`✗ ${region}: creating a queue failed`);
    process.exit(1);
  }
  console.log(`\n▶ ${region}: Vectorize index for the semantic cache (${dimensions} dimensions, cosine)`);
  if (!ensureVectorize(region)) {
    console.error(`✗ ${region}: creating the Vectorize index failed`);
    process.exit(1);
  }
  const wranglerArgs = ["wrangler", "deploy", "--env", region, ...(dryRun ? ["--dry-run", "--outdir", `dist/${region}`] : [])];
  console.log(`▶ ${region}: npx ${wranglerArgs.join(" ")}`);
  const r = spawnSync("npx", wranglerArgs, { stdio: "inherit", env: { ...process.env, ...(dryRun ? { WRANGLER_SEND_METRICS: "false" } : {}) } });
  if (r.status !== 0) {
    console.error(`✗ ${region} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
  console.log(`✓ ${region}${dryRun ? ` built into dist/${region}` : " deployed"}`);
}
