#!/usr/bin/env node
// `npm run governance:check [dir]`: validates governance/*.yaml (schemas and cross-references)
// with the same code the admin API and the daily cron use (src/governance, imported without a
// build step). Prints one line per finding (file, path, why) and exits 1 on any error.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { importTs, ROOT } from "./lib/load-ts.mjs";

const governance = await importTs("src/governance/files.ts");
const dir = resolve(ROOT, process.argv[2] ?? "governance");
const files = {};
for (const name of readdirSync(dir)) if (/\.ya?ml$/.test(name)) files[name] = readFileSync(join(dir, name), "utf8");
const today = process.env.GOVERNANCE_TODAY ?? new Date().toISOString().slice(0, 10);
const { findings, ok } = governance.checkArtifactFiles(files, today);
for (const f of findings) console.log(governance.formatFinding(f));
const errors = findings.filter((f) => f.severity === "error").length;
console.log(`governance check: ${Object.keys(files).length} files, ${errors} errors, ${findings.length - errors} warnings`);
process.exit(ok ? 0 : 1);
