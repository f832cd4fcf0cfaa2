/**
 * @module
 * Dataset versions in storage: the examples of a version are one immutable R2 object (JSONL,
 * its key carries the content hash, so a lost race can never overwrite a published version),
 * indexed by a D1 row with counts, categories and coverage. The adversarial library is stored
 * the same way under the pseudo-workload `_adversarial`, version 1 being the built-in library.
 */
import { and, desc, eq } from "drizzle-orm";
import { db } from "../config/store";
import { datasets } from "../db/workloads-schema";
import type { Env } from "../env";
import { ProblemError } from "../errors/problem";
import { BUILTIN_ADVERSARIAL, BUILTIN_ADVERSARIAL_VERSION } from "./adversarial/library";
import { coverage, type Coverage, type Example } from "./datasets";

export const ADVERSARIAL_LIBRARY = "_adversarial";

export type DatasetRow = typeof datasets.$inferSelect;

async function sha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export interface SaveOptions {
  workload: string;
  suite: "golden" | "adversarial";
  examples: Example[];
  declared?: string[];
  minExamples?: number;
  actor: string;
}

/**
 * Publishes a new version (latest + 1). Two uploads racing for the same number: one wins, the
 * other gets 409 and its R2 object (under a different key) is deleted.
 */
export async function saveDataset(env: Env, opts: SaveOptions): Promise<{ row: DatasetRow; coverage: Coverage }> {
  const d = db(env);
  const latest = await d.select({ version: datasets.version }).from(datasets).where(eq(datasets.workload, opts.workload)).orderBy(desc(datasets.version)).get();
  const floor = opts.workload === ADVERSARIAL_LIBRARY ? BUILTIN_ADVERSARIAL_VERSION : 0;
  const version = Math.max(latest?.version ?? 0, floor) + 1;
  const body = opts.examples.map((e) => JSON.stringify(e)).join("\n") + "\n";
  const hash = await sha256(body);
  const r2Key = `datasets/${opts.workload}/v${version}-${hash.slice(0, 16)}.jsonl`;
  await env.BLOBS.put(r2Key, body, { httpMetadata: { contentType: "application/x-ndjson" }, customMetadata: { workload: opts.workload, version: String(version) } });
  const cov = coverage(opts.examples, opts.declared, opts.minExamples);
  const row: DatasetRow = {
    workload: opts.workload, version, suite: opts.suite, examples: opts.examples.length, categories: JSON.stringify(cov.categories),
    coverage: cov.coverage, r2Key, sha256: hash, createdBy: opts.actor, createdAt: new Date().toISOString(), archivedAt: null, review: null,
  };
  const inserted = await d.insert(datasets).values(row).onConflictDoNothing().returning({ version: datasets.version });
  if (inserted.length === 0) {
    await env.BLOBS.delete(r2Key);
    throw new ProblemError(409, "Version Conflict", `Another upload published version ${version} first; retry.`);
  }
  return { row, coverage: cov };
}

export async function datasetRow(env: Env, workload: string, version?: number): Promise<DatasetRow | undefined> {
  const q = db(env).select().from(datasets);
  if (version !== undefined) return q.where(and(eq(datasets.workload, workload), eq(datasets.version, version))).get();
  return q.where(eq(datasets.workload, workload)).orderBy(desc(datasets.version)).get();
}

export async function listDatasets(env: Env, workload: string): Promise<DatasetRow[]> {
  return db(env).select().from(datasets).where(eq(datasets.workload, workload)).orderBy(desc(datasets.version)).all();
}

/** The examples of a stored version. */
export async function loadExamples(env: Env, row: DatasetRow): Promise<Example[]> {
  const obj = await env.BLOBS.get(row.r2Key);
  if (!obj) throw new ProblemError(410, "Dataset Gone", `The examples of ${row.workload} v${row.version} are no longer stored.`);
  return (await obj.text()).split("\n").filter(Boolean).map((l) => JSON.parse(l) as Example);
}

/** The adversarial library at a version (default the latest): the built-in one is version 1. */
export async function adversarialLibrary(env: Env, version?: number): Promise<{ version: number; examples: Example[] }> {
  if (version === BUILTIN_ADVERSARIAL_VERSION) return { version, examples: [...BUILTIN_ADVERSARIAL] };
  const row = await datasetRow(env, ADVERSARIAL_LIBRARY, version);
  if (!row) {
    if (version !== undefined) throw new ProblemError(404, "Not Found", `No adversarial library version ${version}.`);
    return { version: BUILTIN_ADVERSARIAL_VERSION, examples: [...BUILTIN_ADVERSARIAL] };
  }
  return { version: row.version, examples: await loadExamples(env, row) };
}

/** Public view of an index row. */
export function datasetView(row: DatasetRow): Record<string, unknown> {
  return {
    workload: row.workload, version: row.version, suite: row.suite, examples: row.examples, categories: JSON.parse(row.categories) as unknown,
    coverage: row.coverage, sha256: row.sha256, created_by: row.createdBy, created_at: row.createdAt, archived_at: row.archivedAt,
    review: row.review ? (JSON.parse(row.review) as unknown) : null,
  };
}
