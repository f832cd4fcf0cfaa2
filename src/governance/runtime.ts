/**
 * @module
 * What the data plane takes from the applied governance version, compiled once per config version
 * into the policy bundle: the classification scheme (entity type → the class its presence
 * implies, DESIGN §5) and the exemptions with a gateway effect, each with its expiry. A request
 * pays for a map lookup per DLP finding type and nothing when there is no applied version.
 */
import type { DataClass } from "../config/schemas";
import { DATA_CLASS_RANK } from "../config/schemas";
import { compileDlpPolicy, DEFAULT_DLP_POLICY, type CompiledDlpPolicy, type DlpPolicyConfigInput } from "../dlp";
import { Classification, Exemptions } from "./schemas";

export interface ActiveExemption {
  id: string;
  rule: string;
  /** Epoch ms after which the exemption no longer applies (end of its `expires` day, UTC). */
  untilMs: number;
  /** DLP actions while the exemption holds, merged over the workload's policy. */
  dlpActions: Record<string, "allow" | "redact" | "block">;
}

export interface GovernancePolicy {
  version: number;
  /** Entity type → implied class. */
  entityClasses: ReadonlyMap<string, DataClass>;
  /** Exemptions with a gateway effect, by workload. */
  exemptionsByWorkload: ReadonlyMap<string, ActiveExemption[]>;
}

/**
 * Compiles the stored artifacts of the latest applied version; a part that no longer parses is
 * left out with a warning (the previous behaviour applies), never fatal to the bundle.
 * @example compileGovernance({ version: 3, artifacts: row.artifacts }, warnings)
 */
export function compileGovernance(row: { version: number; artifacts: string }, warnings: string[]): GovernancePolicy {
  let raw: Record<string, unknown> = {};
  try {
    raw = JSON.parse(row.artifacts) as Record<string, unknown>;
  } catch {
    warnings.push(`governance v${row.version}: artifacts are not JSON`);
  }
  const entityClasses = new Map<string, DataClass>();
  const scheme = Classification.safeParse(raw.classification);
  if (scheme.success) for (const [type, cls] of Object.entries(scheme.data.entity_types)) entityClasses.set(type, cls);
  else warnings.push(`governance v${row.version}: classification scheme does not parse; DLP raise uses workload actions only`);
  const exemptionsByWorkload = new Map<string, ActiveExemption[]>();
  const ex = Exemptions.safeParse(raw.exemptions);
  if (ex.success) {
    for (const e of ex.data.exemptions) {
      if (!e.effect) continue;
      const list = exemptionsByWorkload.get(e.workload) ?? [];
      list.push({ id: e.id, rule: e.rule, untilMs: Date.parse(`${e.expires}T23:59:59.999Z`), dlpActions: e.effect.dlp });
      exemptionsByWorkload.set(e.workload, list);
    }
  } else if (raw.exemptions !== undefined) warnings.push(`governance v${row.version}: exemptions do not parse; none applies`);
  return { version: row.version, entityClasses, exemptionsByWorkload };
}

/**
 * The highest class the scheme implies for the entity types DLP found, or undefined.
 * @example impliedClass(policy, ["EMAIL_ADDRESS", "CREDIT_CARD"]) === "restricted"
 */
export function impliedClass(policy: GovernancePolicy | undefined, types: readonly string[]): DataClass | undefined {
  if (!policy || types.length === 0) return undefined;
  let best: DataClass | undefined;
  for (const t of types) {
    const c = policy.entityClasses.get(t);
    if (c && (!best || DATA_CLASS_RANK[c] > DATA_CLASS_RANK[best])) best = c;
  }
  return best;
}

/** A workload's DLP policy with the exemptions' actions merged over it (later ones win). */
export function exemptDlpPolicy(base: DlpPolicyConfigInput | undefined, exemptions: readonly ActiveExemption[]): CompiledDlpPolicy {
  const config = base ?? DEFAULT_DLP_POLICY;
  const actions = Object.assign({}, config.actions ?? {}, ...exemptions.map((e) => e.dlpActions)) as DlpPolicyConfigInput["actions"];
  return compileDlpPolicy({ ...config, actions });
}

/**
 * One compiled policy per expiry step: sorted by expiry, step i merges every exemption that
 * expires at or after exemption i's expiry, i.e. exactly those still active while `now` is at
 * or before it. {@link activeDlpPolicy} then picks the first step not yet past.
 * @example const steps = exemptionSteps(workload.dlp, governance.exemptionsByWorkload.get(id) ?? []);
 */
export function exemptionSteps(base: DlpPolicyConfigInput | undefined, exemptions: readonly ActiveExemption[]): CompiledExemption[] {
  const sorted = [...exemptions].sort((a, b) => a.untilMs - b.untilMs);
  return sorted.map((e, i) => ({ id: sorted.slice(i).map((x) => x.id).join("+"), untilMs: e.untilMs, dlpPolicy: exemptDlpPolicy(base, sorted.slice(i)) }));
}

/** An exemption compiled into a workload's bundle entry. */
export interface CompiledExemption {
  id: string;
  untilMs: number;
  dlpPolicy: CompiledDlpPolicy;
}

/**
 * The DLP policy a request of this workload runs under now: the first unexpired step of
 * {@link exemptionSteps} (every exemption still active, merged), else the workload's own. So an
 * exemption is enforced only until its expiry, without a config change.
 * @example const policy = activeDlpPolicy(caller.workload, Date.now());
 */
export function activeDlpPolicy(w: { dlpPolicy: CompiledDlpPolicy; exemptions?: readonly CompiledExemption[] }, now: number): CompiledDlpPolicy {
  if (w.exemptions) for (const e of w.exemptions) if (now <= e.untilMs) return e.dlpPolicy;
  return w.dlpPolicy;
}
