#!/usr/bin/env node
// `npm run governance:check`: validates governance/*.yaml (schemas and cross-references) with the
// same code the admin API and the daily cron use (src/governance). No build step: esbuild (already
// installed with wrangler) bundles that TypeScript into a temporary module, which is imported.
// Prints one line per finding (file, path, why) and exits 1 on any error.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const dir = resolve(root, process.argv[2] ?? "governance");

const out = await build({
  entryPoints: [join(root, "src/governance/files.ts")],
  bundle: true, format: "esm", platform: "node", write: false, logLevel: "error",
  // Bundled CommonJS dependencies (yaml) require node built-ins.
  banner: { js: "import { createRequire as __cr } from \"node:module\"; const require = __cr(import.meta.url);" },
});
const tmp = mkdtempSync(join(tmpdir(), "governance-check-"));
const modulePath = join(tmp, "files.mjs");
writeFileSync(modulePath, out.outputFiles[0].text);
let governance;
try {
  governance = await import(pathToFileURL(modulePath).href);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const files = {};
for (const name of readdirSync(dir)) if (/\.ya?ml$/.test(name)) files[name] = readFileSync(join(dir, name), "utf8");
const today = process.env.GOVERNANCE_TODAY ?? new Date().toISOString().slice(0, 10);
const { findings, ok } = governance.checkArtifactFiles(files, today);
for (const f of findings) console.log(governance.formatFinding(f));
const errors = findings.filter((f) => f.severity === "error").length;
console.log(`governance check: ${Object.keys(files).length} files, ${errors} errors, ${findings.length - errors} warnings`);
process.exit(ok ? 0 : 1);
