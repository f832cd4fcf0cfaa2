#!/usr/bin/env node
// Routing micro-benchmark: bundles src/routing/plan.bench.ts for Node with esbuild and prints
// µs per routing decision (five targets, every strategy). Reports only; asserts nothing.
// Usage: node scripts/bench-routing.mjs [iterations]
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const iterations = Number(process.argv[2] ?? 200_000);
const outdir = path.resolve(".wrangler/bench");
mkdirSync(outdir, { recursive: true });
const outfile = path.join(outdir, "routing-bench.mjs");
await build({ entryPoints: ["src/routing/plan.bench.ts"], bundle: true, platform: "node", format: "esm", outfile, logLevel: "error" });
const { runRoutingBench } = await import(pathToFileURL(outfile).href);
const rows = runRoutingBench(iterations);
console.log(`routing decision, 5 targets, ${iterations} iterations (node ${process.version})`);
for (const r of rows) console.log(`${r.case.padEnd(16)} ${r.usPerOp.toFixed(2).padStart(8)} µs/op`);
