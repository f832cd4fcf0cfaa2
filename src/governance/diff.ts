/**
 * @module
 * Structural diff of two artifact sets: one entry per changed leaf or list item, with the
 * artifact file and a path, so a reviewer sees "workloads.yaml workloads[2].allowed_models" rather
 * than two YAML blobs. List items that carry an `id` (or `model`) are matched by it, so inserting
 * a rule does not show every later rule as changed.
 */
import { ARTIFACT_FILES, ARTIFACT_NAMES, type ArtifactName } from "./schemas";

export interface DiffEntry {
  file: string;
  path: string;
  op: "added" | "removed" | "changed";
  before?: unknown;
  after?: unknown;
}

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

function itemKey(v: Json): string | undefined {
  if (!isObject(v)) return undefined;
  const id = v.id ?? v.model ?? v.date;
  if (typeof id !== "string") return undefined;
  // Catalog approvals may list one model twice (per zone group): the classes and zones tell them apart.
  return isObject(v) && Array.isArray(v.zones) ? `${id}|${JSON.stringify(v.data_classes)}|${JSON.stringify(v.zones)}` : id;
}

function diffValue(file: string, path: string, a: Json, b: Json, out: DiffEntry[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (a === undefined) return void out.push({ file, path, op: "added", after: b });
  if (b === undefined) return void out.push({ file, path, op: "removed", before: a });
  if (isObject(a) && isObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diffValue(file, path ? `${path}.${k}` : k, a[k], b[k], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const keyed = [...a, ...b].every((v) => itemKey(v) !== undefined);
    if (keyed) {
      const before = new Map(a.map((v) => [itemKey(v)!, v]));
      const after = new Map(b.map((v) => [itemKey(v)!, v]));
      for (const k of new Set([...before.keys(), ...after.keys()])) diffValue(file, `${path}[${k.split("|")[0]}]`, before.get(k), after.get(k), out);
      return;
    }
    if (a.every((v) => !isObject(v) && !Array.isArray(v)) && b.every((v) => !isObject(v) && !Array.isArray(v))) {
      return void out.push({ file, path, op: "changed", before: a, after: b });
    }
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) diffValue(file, `${path}[${i}]`, a[i], b[i], out);
    return;
  }
  out.push({ file, path, op: "changed", before: a, after: b });
}

/**
 * The changes from `before` to `after` (either may be empty: the first version diffs against {}).
 * @example diffArtifacts(v1.artifacts, v2.artifacts) // [{ file: "exemptions.yaml", path: "exemptions[EX-2]", op: "added", after: {...} }]
 */
export function diffArtifacts(before: Partial<Record<ArtifactName, unknown>>, after: Partial<Record<ArtifactName, unknown>>): DiffEntry[] {
  const out: DiffEntry[] = [];
  for (const name of ARTIFACT_NAMES) diffValue(ARTIFACT_FILES[name], "", before[name], after[name], out);
  return out.map((e) => (e.path === "" ? { ...e, path: "(file)" } : e));
}
