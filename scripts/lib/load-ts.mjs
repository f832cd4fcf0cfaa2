// Imports a TypeScript module of src/ from a Node script without a build step: esbuild (installed
// with wrangler) bundles it into a temporary ES module, which is imported and deleted.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

export const ROOT = resolve(import.meta.dirname, "..", "..");

/** @example const { checkArtifactFiles } = await importTs("src/governance/files.ts"); */
export async function importTs(entry) {
  const out = await build({
    entryPoints: [join(ROOT, entry)], bundle: true, format: "esm", platform: "node", write: false, logLevel: "error",
    // Bundled CommonJS dependencies (yaml) require node built-ins; `cloudflare:*` exists only in workerd.
    banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
    external: ["cloudflare:*"],
  });
  const tmp = mkdtempSync(join(tmpdir(), "switchyard-ts-"));
  const file = join(tmp, "module.mjs");
  writeFileSync(file, out.outputFiles[0].text);
  try {
    return await import(pathToFileURL(file).href);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
