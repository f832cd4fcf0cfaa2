/**
 * Launches the Chromium that ships inside the @sparticuz/chromium npm package (brotli-packed in
 * node_modules, so `npm ci` brings it and nothing is downloaded) through playwright-core.
 *
 * The package unpacks into `os.tmpdir()/chromium` and reuses whatever is there, even a different
 * version's binary. So we unpack into a staging directory of our own and rename it to a
 * per-version directory (atomic: concurrent test runs never see half a browser), and if a launch
 * still fails we unpack afresh once.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import chromium from "@sparticuz/chromium";
import { chromium as playwright, type Browser } from "playwright-core";

// The package's exports hide its package.json from require.resolve; read it by path.
const PACKAGE_JSON = new URL("../../../node_modules/@sparticuz/chromium/package.json", import.meta.url);
const VERSION: string = JSON.parse(readFileSync(PACKAGE_JSON, "utf8")).version;

/** Where this version's browser lives once unpacked. */
export const CHROMIUM_DIR = path.join(tmpdir(), `switchyard-chromium-${VERSION}`);

async function unpack(): Promise<string> {
  if (existsSync(path.join(CHROMIUM_DIR, "chromium"))) return CHROMIUM_DIR;
  const staging = mkdtempSync(path.join(tmpdir(), `switchyard-chromium-${VERSION}-staging-`));
  const previous = process.env.TMPDIR;
  // The package unpacks into os.tmpdir(), which reads TMPDIR on every call.
  process.env.TMPDIR = staging;
  try {
    await chromium.executablePath();
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
  try {
    renameSync(staging, CHROMIUM_DIR);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another run got there first
  }
  return CHROMIUM_DIR;
}

/**
 * The package's fonts.conf looks in Lambda's directories (/tmp/fonts, /opt/fonts, ...), not where we
 * unpack, so on a machine without /tmp/fonts Chromium found no font at all and died (SIGTRAP in
 * Skia's font fallback, "Not implemented") when the team owner's first view rendered, taking every
 * later test with it. Ours names the packaged Open Sans only: the same font on every machine, so
 * screenshots do not depend on what the machine has installed.
 */
function fontsConf(dir: string): string {
  const file = path.join(dir, "switchyard-fonts.conf");
  writeFileSync(file, `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>${path.join(dir, "fonts", "fonts")}</dir>
  <cachedir>${path.join(dir, "fonts-cache")}</cachedir>
</fontconfig>
`);
  return file;
}

async function launchFrom(dir: string): Promise<Browser> {
  return playwright.launch({
    executablePath: path.join(dir, "chromium"),
    // Not --single-process (the package targets Lambda): in one process, a renderer that dies takes
    // the whole browser, and every later test, with it.
    args: chromium.args.filter((a) => a !== "--single-process"),
    headless: true,
    env: { ...process.env, FONTCONFIG_FILE: fontsConf(dir), HOME: process.env.HOME ?? tmpdir() } as Record<string, string>,
  });
}

/** A headless Chromium; unpacks it on first use (a few seconds), retrying once from scratch. */
export async function launchChromium(): Promise<Browser> {
  try {
    return await launchFrom(await unpack());
  } catch (first) {
    rmSync(CHROMIUM_DIR, { recursive: true, force: true });
    try {
      return await launchFrom(await unpack());
    } catch (second) {
      throw new Error(`Chromium ${VERSION} from @sparticuz/chromium did not start: ${String(second)} (first attempt: ${String(first)})`);
    }
  }
}
