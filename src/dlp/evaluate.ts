/**
 * @module
 * Precision/recall of the recognizers against a labelled set. A finding matches a label when
 * the types are equal and the spans overlap; each label and each finding counts at most once.
 * Used by eval.test.ts (which asserts thresholds) and handy from a REPL when tuning.
 */
import { scan } from "./scan";
import type { EntityType, Finding, ScanOptions } from "./types";

export interface LabelledText {
  id?: string;
  text: string;
  entities: ReadonlyArray<{ type: EntityType; start: number; end: number }>;
}

export interface TypeScore {
  type: EntityType;
  labels: number;
  findings: number;
  truePositives: number;
  precision: number;
  recall: number;
}

/** A mismatch, for debugging: offsets only, like findings (the caller holds the text). */
export interface EvalMiss {
  id?: string;
  kind: "false-negative" | "false-positive";
  type: EntityType;
  start: number;
  end: number;
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean =>
  a.start < b.end && b.start < a.end;

/**
 * Scores `scan` on `cases`, per entity type.
 *
 * @example
 * const { scores } = evaluate([{ text: "a@b.io", entities: [{ type: "EMAIL_ADDRESS", start: 0, end: 6 }] }]);
 * scores[0] // { type: "EMAIL_ADDRESS", labels: 1, findings: 1, truePositives: 1, precision: 1, recall: 1 }
 */
export function evaluate(
  cases: readonly LabelledText[],
  options: ScanOptions = {},
): { scores: TypeScore[]; misses: EvalMiss[] } {
  const tally = new Map<EntityType, { labels: number; findings: number; tpLabels: number; tpFindings: number }>();
  const row = (t: EntityType) => {
    let r = tally.get(t);
    if (r === undefined) tally.set(t, (r = { labels: 0, findings: 0, tpLabels: 0, tpFindings: 0 }));
    return r;
  };
  const misses: EvalMiss[] = [];
  for (const c of cases) {
    const findings: Finding[] = scan(c.text, options);
    for (const label of c.entities) {
      const hit = findings.some((f) => f.type === label.type && overlaps(f, label));
      row(label.type).labels++;
      if (hit) row(label.type).tpLabels++;
      else misses.push({ id: c.id, kind: "false-negative", type: label.type, start: label.start, end: label.end });
    }
    for (const f of findings) {
      const hit = c.entities.some((l) => l.type === f.type && overlaps(f, l));
      row(f.type).findings++;
      if (hit) row(f.type).tpFindings++;
      else misses.push({ id: c.id, kind: "false-positive", type: f.type, start: f.start, end: f.end });
    }
  }
  const scores = [...tally.entries()]
    .map(([type, t]) => ({
      type,
      labels: t.labels,
      findings: t.findings,
      truePositives: t.tpLabels,
      precision: t.findings === 0 ? 1 : t.tpFindings / t.findings,
      recall: t.labels === 0 ? 1 : t.tpLabels / t.labels,
    }))
    .sort((a, b) => a.type.localeCompare(b.type));
  return { scores, misses };
}

/**
 * Renders scores as a Markdown table.
 *
 * @example
 * formatScores(evaluate(cases).scores) // "| type | labels | … |\n|---|…"
 */
export function formatScores(scores: readonly TypeScore[]): string {
  const lines = ["| type | labels | findings | precision | recall |", "|---|---:|---:|---:|---:|"];
  for (const s of scores) {
    lines.push(`| ${s.type} | ${s.labels} | ${s.findings} | ${s.precision.toFixed(3)} | ${s.recall.toFixed(3)} |`);
  }
  return lines.join("\n");
}

/**
 * The labelled texts of a JSONL evaluation set (one `LabelledText` per non-empty line).
 * @example const cases = parseLabelledJsonl(evalJsonl);
 */
export function parseLabelledJsonl(jsonl: string): LabelledText[] {
  return jsonl
    .split("\n")
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as LabelledText);
}
