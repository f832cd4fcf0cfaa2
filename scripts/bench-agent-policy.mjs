#!/usr/bin/env node
// Agent-policy micro-benchmark: bundles src/agents/policy.bench.ts for Node with esbuild and prints
// µs per tools/call authorization (CEL with the SQL parser, RE2 matches, helpers). Reports only;
// asserts nothing. Usage: node scripts/bench-agent-policy.mjs [iterations]
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const iterations = Number(process.argv[2] ?? 10_000);
const outdir = path.resolve(".wrangler/bench");
mkdirSync(outdir, { recursive: true });
const outfile = path.join(outdir, "agent-policy-bench.mjs");
await build({ entryPoints: ["src/agents/policy.bench.ts"], bundle: true, platform: "node", format: "esm", outfile, logLevel: "error" });
const { runPolicyBench } = await import(pathToFileURL(outfile).href);
const rows = runPolicyBench(iterations);
console.log(`agent policy check per tools/call, ${iterations} iterations (node ${process.version})`);
for (const r of rows) console.log(`${r.case.padEnd(16)} ${r.usPerOp.toFixed(2).padStart(8)} µs/op`);
