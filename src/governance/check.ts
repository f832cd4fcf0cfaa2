/**
 * @module
 * Consistency checks over a governance artifact set: pure functions of plain data, each returning
 * precise findings (file, path, why). `npm run governance:check` runs them over the repo's files,
 * proposals and applies run them over the proposed set, and the daily cron runs them against the
 * live configuration as well (live workloads and catalog models).
 */
import { ARTIFACT_FILES, type ArtifactName, type ArtifactSet, type ChangeRef } from "./schemas";

export interface Finding {
  severity: "error" | "warning";
  /** The artifact file, e.g. `workloads.yaml`, or `live:workloads` for live configuration. */
  file: string;
  /** Path inside the file, e.g. `workloads[1].allowed_models[0]`. */
  path: string;
  message: string;
}

/** A live workload as the check needs it (from D1 in the admin API and the cron job). */
export interface LiveWorkload {
  id: string;
  team: string;
  data_class: "public" | "internal" | "restricted";
  zone: "us" | "eu" | "apac";
  allowed_models: string[];
}

export interface CheckContext {
  /** Today (YYYY-MM-DD, UTC): exemptions that expired before it are errors. */
  today: string;
  /** Live configuration, when checking against it. */
  live?: { workloads: LiveWorkload[]; models: string[] };
  /** Proposal ids and applied version numbers minutes may reference (live only). */
  known?: { proposals: string[]; versions: number[] };
}

const err = (name: ArtifactName, path: string, message: string): Finding => ({ severity: "error", file: ARTIFACT_FILES[name], path, message });
const warn = (name: ArtifactName, path: string, message: string): Finding => ({ severity: "warning", file: ARTIFACT_FILES[name], path, message });

/** Is `model` approved for `dataClass` in `zone` by the catalog approvals? */
export function approvalFor(set: ArtifactSet, model: string, dataClass: string, zone: string): "ok" | "unknown" | "class" | "zone" {
  const entries = set.catalog.approvals.filter((a) => a.model === model);
  if (entries.length === 0) return "unknown";
  if (!entries.some((a) => (a.data_classes as string[]).includes(dataClass))) return "class";
  if (!entries.some((a) => (a.data_classes as string[]).includes(dataClass) && (a.zones as string[]).includes(zone))) return "zone";
  return "ok";
}

function approvalMessage(kind: "unknown" | "class" | "zone", model: string, dataClass: string, zone: string): string {
  if (kind === "unknown") return `model '${model}' is not in the model catalog approvals`;
  if (kind === "class") return `model '${model}' is not approved for ${dataClass} data`;
  return `model '${model}' is not approved for ${dataClass} data in zone ${zone}`;
}

/** Every workload brief's models exist in the catalog and are approved for its class and zone. */
export function checkWorkloadModels(set: ArtifactSet): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  set.workloads.workloads.forEach((w, i) => {
    if (seen.has(w.id)) out.push(err("workloads", `workloads[${i}].id`, `workload '${w.id}' is described twice`));
    seen.add(w.id);
    w.allowed_models.forEach((m, j) => {
      const a = approvalFor(set, m, w.data_class, w.zone);
      if (a !== "ok") out.push(err("workloads", `workloads[${i}].allowed_models[${j}]`, `workload '${w.id}': ${approvalMessage(a, m, w.data_class, w.zone)}`));
    });
  });
  return out;
}

/** Every exemption names an existing rule and workload, and is unexpired; ids are unique. */
export function checkExemptions(set: ArtifactSet, today: string): Finding[] {
  const out: Finding[] = [];
  const rules = new Set(set.acceptable_use.rules.map((r) => r.id));
  const workloads = new Set(set.workloads.workloads.map((w) => w.id));
  const ids = new Set<string>();
  set.exemptions.exemptions.forEach((e, i) => {
    const at = `exemptions[${i}]`;
    if (ids.has(e.id)) out.push(err("exemptions", `${at}.id`, `exemption id '${e.id}' is used twice`));
    ids.add(e.id);
    if (!rules.has(e.rule)) out.push(err("exemptions", `${at}.rule`, `exemption '${e.id}' names rule '${e.rule}', which the acceptable-use policy does not define`));
    if (!workloads.has(e.workload)) out.push(err("exemptions", `${at}.workload`, `exemption '${e.id}' names workload '${e.workload}', which has no brief`));
    if (e.expires < today) out.push(err("exemptions", `${at}.expires`, `exemption '${e.id}' expired on ${e.expires}; renew it through review or remove it`));
    if (e.approver === e.requested_by) out.push(err("exemptions", `${at}.approver`, `exemption '${e.id}' was approved by its own requester`));
  });
  return out;
}

/** Every AUP rule is implemented for at least one regulation clause; rule ids are unique. */
export function checkPolicyMapping(set: ArtifactSet): Finding[] {
  const out: Finding[] = [];
  const mapped = new Set(set.regulatory_map.regulations.flatMap((r) => r.clauses.flatMap((c) => c.policies)));
  const ids = new Set<string>();
  set.acceptable_use.rules.forEach((rule, i) => {
    if (ids.has(rule.id)) out.push(err("acceptable_use", `rules[${i}].id`, `rule id '${rule.id}' is used twice`));
    ids.add(rule.id);
    if (!mapped.has(rule.id)) out.push(err("acceptable_use", `rules[${i}]`, `rule '${rule.id}' maps to no regulation clause; add it to regulatory-map.yaml`));
  });
  return out;
}

/** Every clause is implemented by an existing policy or marked not applicable with a reason. */
export function checkClauses(set: ArtifactSet): Finding[] {
  const out: Finding[] = [];
  const rules = new Set(set.acceptable_use.rules.map((r) => r.id));
  const workloads = new Set(set.workloads.workloads.map((w) => w.id));
  set.regulatory_map.regulations.forEach((reg, i) => {
    reg.clauses.forEach((c, j) => {
      const at = `regulations[${i}].clauses[${j}]`;
      if (c.policies.length === 0 && !c.not_applicable) {
        out.push(err("regulatory_map", at, `${reg.id} ${c.id} is implemented by no policy and not marked not_applicable with a reason`));
      }
      c.policies.forEach((p, k) => {
        if (!rules.has(p)) out.push(err("regulatory_map", `${at}.policies[${k}]`, `${reg.id} ${c.id} names policy '${p}', which the acceptable-use policy does not define`));
      });
      (c.applies_to.workloads ?? []).forEach((w, k) => {
        if (!workloads.has(w)) out.push(err("regulatory_map", `${at}.applies_to.workloads[${k}]`, `${reg.id} ${c.id} names workload '${w}', which has no brief`));
      });
    });
  });
  return out;
}

function changeExists(set: ArtifactSet, ref: ChangeRef, known: CheckContext["known"]): boolean | undefined {
  if ("artifact" in ref) {
    const items: Record<string, string[]> = {
      acceptable_use: set.acceptable_use.rules.map((r) => r.id),
      exemptions: set.exemptions.exemptions.map((e) => e.id),
      workloads: set.workloads.workloads.map((w) => w.id),
      catalog: set.catalog.approvals.map((a) => a.model),
      regulatory_map: set.regulatory_map.regulations.flatMap((r) => [r.id, ...r.clauses.map((c) => `${r.id}:${c.id}`)]),
      classification: Object.keys(set.classification.entity_types),
    };
    return items[ref.artifact]?.includes(ref.id) ?? false;
  }
  if (!known) return undefined; // proposals and versions exist only in the live state
  return "proposal" in ref ? known.proposals.includes(ref.proposal) : known.versions.includes(ref.version);
}

/**
 * Minutes' decisions reference real changes: proposals and versions must exist (checked when the
 * live state is known). An artifact item that no longer exists is a warning only: a later,
 * approved change may have removed what an earlier meeting approved.
 */
export function checkMinutes(set: ArtifactSet, known?: CheckContext["known"]): Finding[] {
  const out: Finding[] = [];
  set.minutes.meetings.forEach((m, i) => {
    m.decisions.forEach((d, j) => {
      d.changes.forEach((ref, k) => {
        if (changeExists(set, ref, known) !== false) return;
        const path = `meetings[${i}].decisions[${j}].changes[${k}]`;
        if ("artifact" in ref) out.push(warn("minutes", path, `decision of ${m.date} references ${ref.artifact} '${ref.id}', which the artifacts no longer contain`));
        else out.push(err("minutes", path, `decision of ${m.date} references ${JSON.stringify(ref)}, which does not exist`));
      });
    });
  });
  return out;
}

/** The scheme declares the three classes, and every class it maps to is declared. */
export function checkClassification(set: ArtifactSet): Finding[] {
  const out: Finding[] = [];
  const declared = new Set(set.classification.classes.map((c) => c.id));
  for (const c of ["public", "internal", "restricted"] as const) {
    if (!declared.has(c)) out.push(err("classification", "classes", `class '${c}' is not described`));
  }
  for (const [type, cls] of Object.entries(set.classification.entity_types)) {
    if (!declared.has(cls)) out.push(err("classification", `entity_types.${type}`, `${type} implies undeclared class '${cls}'`));
  }
  return out;
}

/** Live configuration against the artifacts: workloads' models exist and are approved. */
export function checkLive(set: ArtifactSet, live: NonNullable<CheckContext["live"]>): Finding[] {
  const out: Finding[] = [];
  const models = new Set(live.models);
  for (const w of live.workloads) {
    w.allowed_models.forEach((m, j) => {
      const at = `${w.id}.allowed_models[${j}]`;
      if (!models.has(m)) out.push({ severity: "error", file: "live:workloads", path: at, message: `workload '${w.id}' allows model '${m}', which the live catalog does not have` });
      const a = approvalFor(set, m, w.data_class, w.zone);
      if (a !== "ok") out.push({ severity: "error", file: "live:workloads", path: at, message: `workload '${w.id}': ${approvalMessage(a, m, w.data_class, w.zone)}` });
    });
  }
  set.catalog.approvals.forEach((a, i) => {
    if (!models.has(a.model)) out.push(warn("catalog", `approvals[${i}].model`, `approved model '${a.model}' is not in the live catalog`));
  });
  return out;
}

/**
 * Every check. Errors block an apply and fail `governance:check`; warnings are reported only.
 * @example const findings = checkArtifacts(set, { today: "2026-12-02" }); const ok = !findings.some((f) => f.severity === "error");
 */
export function checkArtifacts(set: ArtifactSet, ctx: CheckContext): Finding[] {
  return [
    ...checkClassification(set),
    ...checkWorkloadModels(set),
    ...checkExemptions(set, ctx.today),
    ...checkPolicyMapping(set),
    ...checkClauses(set),
    ...checkMinutes(set, ctx.known),
    ...(ctx.live ? checkLive(set, ctx.live) : []),
  ];
}

/** Summary for answers: ok when there is no error. */
export function checkResult(findings: Finding[]): { ok: boolean; errors: Finding[]; warnings: Finding[] } {
  const errors = findings.filter((f) => f.severity === "error");
  return { ok: errors.length === 0, errors, warnings: findings.filter((f) => f.severity === "warning") };
}
