/**
 * Launches the Chromium that ships inside the @sparticuz/chromium npm package (brotli-packed in
 * node_modules, so `npm ci` brings it and nothing is downloaded) through playwright-core.
 *
 * The package unpacks into `os.tmpdir()/chromium` and reuses whatever is there, even a different
 * version's binary. So we unpack into a staging directory of our own and rename it to a
 * per-version directory (atomic: concurrent test runs never see half a browser), and if a launch
 * still fails we unpack afresh once.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
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

async function launchFrom(dir: string): Promise<Browser> {
  return playwright.launch({
    executablePath: path.join(dir, "chromium"),
    args: chromium.args,
    headless: true,
    env: { ...process.env, FONTCONFIG_PATH: path.join(dir, "fonts"), HOME: process.env.HOME ?? tmpdir() } as Record<string, string>,
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
