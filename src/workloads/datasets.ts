/**
 * @module
 * Golden datasets: parsing an upload (JSON array, `{"examples": [...]}` or JSONL), example ids,
 * coverage against the workload's declared categories, and the scheduled quality review. Pure
 * functions; storage (R2 object per version, D1 index row) is in ./dataset-store.ts.
 */
import canonicalize from "canonicalize";
import { z } from "zod";
import { Check } from "./evaluators";
import { DEFAULT_MIN_EXAMPLES } from "./settings";

const MessageIn = z.looseObject({ role: z.enum(["system", "user", "assistant", "tool", "developer"]), content: z.unknown().optional() });

export const ExampleIn = z
  .object({
    /** Stable id; defaults to a hash of the input, so re-uploads keep ids and duplicates show. */
    id: z.string().min(1).max(128).optional(),
    input: z.looseObject({ messages: z.array(MessageIn).min(1).max(200) }),
    expected: z.unknown().optional(),
    category: z.string().min(1).max(64),
    checks: z.array(Check).max(20).default([]),
  })
  .strict();
export type ExampleIn = z.infer<typeof ExampleIn>;

export interface Example extends ExampleIn {
  id: string;
}

/** An example may be at most this large (it travels in one queue message). */
export const MAX_EXAMPLE_BYTES = 32_768;
export const MAX_EXAMPLES = 5_000;

export class DatasetError extends Error {
  constructor(readonly errors: Array<{ path: string; message: string }>) {
    super(errors.map((e) => `${e.path}: ${e.message}`).slice(0, 5).join("; "));
  }
}

/** The raw example objects of an upload: a JSON array, `{"examples": [...]}`, or JSONL. */
export function splitUpload(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[") || (trimmed.startsWith("{") && /^\{\s*"examples"\s*:/.test(trimmed))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new DatasetError([{ path: "(body)", message: "not valid JSON" }]);
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { examples?: unknown }).examples;
    if (!Array.isArray(list)) throw new DatasetError([{ path: "examples", message: "must be an array" }]);
    return list;
  }
  return trimmed.split(/\r?\n/).filter((l) => l.trim() !== "").map((line, i) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw new DatasetError([{ path: `line ${i + 1}`, message: "not valid JSON" }]);
    }
  });
}

async function inputHash(input: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalize(input) ?? "");
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].slice(0, 8).map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Validates every example (all errors at once, by index) and gives each a stable id.
 * @example const examples = await parseExamples(await request.text())
 */
export async function parseExamples(text: string): Promise<Example[]> {
  const raw = splitUpload(text);
  if (raw.length === 0) throw new DatasetError([{ path: "examples", message: "at least one example is required" }]);
  if (raw.length > MAX_EXAMPLES) throw new DatasetError([{ path: "examples", message: `at most ${MAX_EXAMPLES} examples per version` }]);
  const errors: Array<{ path: string; message: string }> = [];
  const out: Example[] = [];
  const ids = new Set<string>();
  for (const [i, item] of raw.entries()) {
    const parsed = ExampleIn.safeParse(item);
    if (!parsed.success) {
      for (const issue of parsed.error.issues.slice(0, 3)) errors.push({ path: `examples.${i}.${issue.path.join(".")}`, message: issue.message });
      continue;
    }
    if (JSON.stringify(parsed.data).length > MAX_EXAMPLE_BYTES) {
      errors.push({ path: `examples.${i}`, message: `larger than ${MAX_EXAMPLE_BYTES} bytes` });
      continue;
    }
    let id = parsed.data.id ?? `ex_${await inputHash(parsed.data.input)}`;
    // A duplicate input keeps its own id (the quality review reports duplicates; they are not refused).
    for (let n = 2; ids.has(id); n++) id = `${parsed.data.id ?? `ex_${await inputHash(parsed.data.input)}`}_${n}`;
    ids.add(id);
    out.push({ ...parsed.data, id });
  }
  if (errors.length) throw new DatasetError(errors);
  return out;
}

export interface Coverage {
  /** Examples per category. */
  categories: Record<string, number>;
  /** Declared categories (or, when none are declared, the ones present). */
  declared: string[];
  covered: string[];
  below_quota: string[];
  /** covered ÷ declared, 0–1. */
  coverage: number;
  min_examples: number;
}

/**
 * Coverage: the share of declared input categories that have at least `minExamples` examples.
 * @example coverage(examples, ["billing", "refunds"], 5).coverage
 */
export function coverage(examples: ReadonlyArray<Pick<Example, "category">>, declared: readonly string[] | undefined, minExamples = DEFAULT_MIN_EXAMPLES): Coverage {
  const categories: Record<string, number> = {};
  for (const e of examples) categories[e.category] = (categories[e.category] ?? 0) + 1;
  const base = declared && declared.length ? [...new Set(declared)] : Object.keys(categories);
  const covered = base.filter((c) => (categories[c] ?? 0) >= minExamples);
  return {
    categories,
    declared: base,
    covered,
    below_quota: base.filter((c) => (categories[c] ?? 0) < minExamples),
    coverage: base.length ? covered.length / base.length : 0,
    min_examples: minExamples,
  };
}

/** An example's outcome in one run on one model (what the quality review reads). */
export interface ExampleOutcome {
  exampleId: string;
  model: string;
  status: "pass" | "fail" | "error";
}

export interface DatasetReview {
  reviewed_at: string;
  /** Failed in every run on every model, with at least two models tried: a bad example, or a hard one. */
  consistently_failing: string[];
  /** Groups of example ids with the same input. */
  duplicates: string[][];
  below_quota: string[];
}

/**
 * The scheduled quality review of one dataset version.
 * @example reviewDataset(examples, outcomes, cov, new Date().toISOString())
 */
export function reviewDataset(examples: readonly Example[], outcomes: readonly ExampleOutcome[], cov: Coverage, now: string): DatasetReview {
  const byExample = new Map<string, ExampleOutcome[]>();
  for (const o of outcomes) byExample.set(o.exampleId, [...(byExample.get(o.exampleId) ?? []), o]);
  const consistently = [...byExample.entries()]
    .filter(([, os]) => new Set(os.map((o) => o.model)).size >= 2 && os.every((o) => o.status === "fail"))
    .map(([id]) => id);
  const byInput = new Map<string, string[]>();
  for (const e of examples) {
    const key = canonicalize(e.input) ?? "";
    byInput.set(key, [...(byInput.get(key) ?? []), e.id]);
  }
  return {
    reviewed_at: now,
    consistently_failing: consistently.sort(),
    duplicates: [...byInput.values()].filter((ids) => ids.length > 1),
    below_quota: cov.below_quota,
  };
}

/** Id prefix of examples `POST …/datasets/from-samples` made from production samples. */
export const SAMPLE_EXAMPLE_PREFIX = "sample_";

/** Whether an example was made from a production sample (its results keep no answer text). */
export const isSampleDerived = (exampleId: string): boolean => exampleId.startsWith(SAMPLE_EXAMPLE_PREFIX);
