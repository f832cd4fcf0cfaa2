#!/usr/bin/env node
// Builds the dashboard (dashboard/src/*.ts, uPlot bundled in, nothing loaded from elsewhere) into
// dashboard/dist, the Workers static-assets directory of wrangler.toml. `npm start`, `npm run build`,
// the test projects (vitest.config.ts) and .ci/run call it, so the assets always match the sources.
// Layout: /dashboard (dashboard.html) and /dashboard/ (dashboard/index.html) are the same page;
// its script and styles live under /dashboard/; `_headers` sets the CSP and friends for all of it.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildSync } from "esbuild";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const SRC = path.join(ROOT, "dashboard/src");
export const DASHBOARD_DIST = path.join(ROOT, "dashboard/dist");

/** The Content-Security-Policy of every dashboard response: nothing inline, nothing from elsewhere. */
export const DASHBOARD_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join("; ");

const RULES = `
  Content-Security-Policy: ${DASHBOARD_CSP}
  X-Content-Type-Options: nosniff
  Referrer-Policy: no-referrer
  X-Frame-Options: DENY
  Cache-Control: no-cache`;
// One rule per path shape: /dashboard (the page) and everything under /dashboard/.
const HEADERS = `/dashboard${RULES}\n/dashboard/*${RULES}\n`;

/** Writes `content` unless the file already holds exactly that; true when it wrote. */
function writeIfChanged(file, content) {
  const bytes = typeof content === "string" ? Buffer.from(content) : Buffer.from(content);
  if (existsSync(file) && readFileSync(file).equals(bytes)) return false;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return true;
}

/**
 * Builds the dashboard into dashboard/dist, synchronously, in well under a second. Files whose
 * content is unchanged are left alone and nothing is deleted first, so rebuilding while a gateway
 * serves the same assets (the test projects each build) never pulls a file from under it.
 */
export function buildDashboard({ minify = true } = {}) {
  const result = buildSync({
    entryPoints: { app: path.join(SRC, "main.ts") },
    outdir: path.join(DASHBOARD_DIST, "dashboard"),
    bundle: true,
    format: "esm",
    target: "es2022",
    minify,
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
    write: false,
  });
  const wanted = new Map(result.outputFiles.map((f) => [f.path, f.contents]));
  // The <meta> copy guards a page served without `_headers`; frame-ancestors works only as a header.
  const metaCsp = DASHBOARD_CSP.replace(/; frame-ancestors [^;]+/, "");
  const html = readFileSync(path.join(SRC, "index.html"), "utf8").replace("%CSP%", metaCsp);
  wanted.set(path.join(DASHBOARD_DIST, "dashboard.html"), html);
  wanted.set(path.join(DASHBOARD_DIST, "dashboard/index.html"), html);
  wanted.set(path.join(DASHBOARD_DIST, "_headers"), HEADERS);
  for (const [file, content] of wanted) writeIfChanged(file, content);
  // Files of an earlier build that this one no longer makes.
  for (const entry of readdirSync(DASHBOARD_DIST, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    if (entry.isFile() && !wanted.has(file)) rmSync(file);
  }
  return DASHBOARD_DIST;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const started = Date.now();
  buildDashboard();
  console.log(`dashboard built into ${path.relative(ROOT, DASHBOARD_DIST)} in ${Date.now() - started} ms`);
}
