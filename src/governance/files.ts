/**
 * @module
 * Governance artifacts ↔ the YAML files in governance/: parsing with precise findings (a schema
 * error names its file and path), and the export that writes the live state back as the same
 * files. Pure: callers read and write the files (the check script, the export route).
 */
import { parse, stringify } from "yaml";
import type { z } from "zod";
import { checkArtifacts, type CheckContext, type Finding } from "./check";
import { ARTIFACT_FILES, ARTIFACT_NAMES, ARTIFACT_SCHEMAS, type ArtifactName, type ArtifactSet, type PartialArtifactSet } from "./schemas";

function issuePath(path: PropertyKey[]): string {
  return path.reduce<string>((s, p) => (typeof p === "number" ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), "");
}

/** Zod issues of one artifact as findings on its file. */
export function schemaFindings(name: ArtifactName, error: z.ZodError): Finding[] {
  return error.issues.map((i) => ({ severity: "error" as const, file: ARTIFACT_FILES[name], path: issuePath(i.path) || "(file)", message: i.message }));
}

/**
 * Validates each artifact of a (partial) set with its schema; findings name file and path.
 * @example const { set, findings } = parseArtifacts({ classification: {...} });
 */
export function parseArtifacts(raw: Record<string, unknown>): { set: PartialArtifactSet; findings: Finding[] } {
  const set: Record<string, unknown> = {};
  const findings: Finding[] = [];
  for (const key of Object.keys(raw)) {
    if (!(ARTIFACT_NAMES as string[]).includes(key)) {
      findings.push({ severity: "error", file: key, path: "(file)", message: `unknown artifact '${key}'; known: ${ARTIFACT_NAMES.join(", ")}` });
    }
  }
  for (const name of ARTIFACT_NAMES) {
    if (raw[name] === undefined) continue;
    const parsed = ARTIFACT_SCHEMAS[name].safeParse(raw[name]);
    if (parsed.success) set[name] = parsed.data;
    else findings.push(...schemaFindings(name, parsed.error));
  }
  return { set: set as PartialArtifactSet, findings };
}

/** Parses the files of governance/ (name → YAML text) into a full set, or findings. */
export function parseArtifactFiles(files: Record<string, string>): { set?: ArtifactSet; findings: Finding[] } {
  const raw: Record<string, unknown> = {};
  const findings: Finding[] = [];
  for (const name of ARTIFACT_NAMES) {
    const file = ARTIFACT_FILES[name];
    const text = files[file];
    if (text === undefined) {
      findings.push({ severity: "error", file, path: "(file)", message: "file is missing" });
      continue;
    }
    try {
      raw[name] = parse(text);
    } catch (e) {
      findings.push({ severity: "error", file, path: "(file)", message: `not valid YAML: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}` });
    }
  }
  const parsed = parseArtifacts(raw);
  findings.push(...parsed.findings);
  if (findings.length) return { findings };
  return { set: parsed.set as ArtifactSet, findings };
}

/**
 * What `npm run governance:check` does, as a pure function: parse, validate, cross-check.
 * @example const { findings } = checkArtifactFiles(files, "2026-12-02");
 */
export function checkArtifactFiles(files: Record<string, string>, today: string): { findings: Finding[]; ok: boolean } {
  const parsed = parseArtifactFiles(files);
  const findings = parsed.set ? checkArtifacts(parsed.set, { today } satisfies CheckContext) : parsed.findings;
  return { findings, ok: !findings.some((f) => f.severity === "error") };
}

/** The live set as the files of governance/ (the export; round-trips through parseArtifactFiles). */
export function artifactFiles(set: ArtifactSet): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ARTIFACT_NAMES) out[ARTIFACT_FILES[name]] = stringify(set[name], { lineWidth: 0 });
  return out;
}

/** One line per finding, as the check command prints them. */
export function formatFinding(f: Finding): string {
  return `${f.severity.toUpperCase()} governance/${f.file} ${f.path}: ${f.message}`;
}
