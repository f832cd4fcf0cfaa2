/**
 * @module
 * The policy bundle: every control-plane object the hot path needs, compiled once per config
 * version into immutable lookup maps (Hono's CORS middleware resolves its options up front the
 * same way). The compiler is a pure function of stored rows, so it is unit-tested without D1.
 */
import type { ProviderRuntime } from "../providers/types";
import {
  Faults,
  ModelPut,
  ProviderPut,
  TeamPut,
  WorkloadPut,
  type DataClass,
  type Zone,
} from "./schemas";
import { usdToNusd } from "./money";
import { DEFAULT_DLP_POLICY, compileDlpPolicy, type CompiledDlpPolicy } from "../dlp";
import { compileRules, type CompiledRule, type RuleRow } from "../routing/rules";
import { compileGovernance, exemptionSteps, type CompiledExemption, type GovernancePolicy } from "../governance/runtime";

export interface TeamPolicy extends TeamPut {
  id: string;
  budgetNusd: number;
}

export interface WorkloadPolicy extends WorkloadPut {
  id: string;
  allowedModels: ReadonlySet<string>;
  /** The workload's DLP policy (or the default), compiled once per config version. */
  dlpPolicy: CompiledDlpPolicy;
  /** Governance exemptions with a DLP effect (see activeDlpPolicy); absent when none. */
  exemptions?: CompiledExemption[];
}

export interface ModelPolicy extends ModelPut {
  id: string;
  dataClassSet: ReadonlySet<DataClass>;
}

export interface KeyPolicy {
  id: string;
  prefix: string;
  workload: string;
  team: string;
  /** Epoch ms, or null for no expiry. */
  expiresAt: number | null;
}

export interface PolicyBundle {
  version: number;
  compiledAt: number;
  keysByHash: ReadonlyMap<string, KeyPolicy>;
  teams: ReadonlyMap<string, TeamPolicy>;
  workloads: ReadonlyMap<string, WorkloadPolicy>;
  models: ReadonlyMap<string, ModelPolicy>;
  providers: ReadonlyMap<string, ProviderRuntime>;
  /** Routing rules by "team:<id>" / "workload:<id>" (latest version of each). */
  routingRules: ReadonlyMap<string, CompiledRule>;
  /** The applied governance version's classification scheme and exemptions (none applied: absent). */
  governance?: GovernancePolicy;
  /** Problems found while compiling (a row that no longer parses); the row is skipped, not fatal. */
  warnings: string[];
}

/** Stored rows, as the loader reads them from D1 (secrets already decrypted). */
export interface BundleRows {
  version: number;
  providers: Array<{ id: string; spec: string; secret: string | null }>;
  models: Array<{ id: string; spec: string }>;
  teams: Array<{ id: string; spec: string }>;
  workloads: Array<{ id: string; spec: string }>;
  keys: Array<{ id: string; hash: string; prefix: string; workload: string; team: string; expiresAt: string | null; revokedAt: string | null }>;
  /** Latest version of each routing rule (absent in callers that predate routing rules). */
  routingRules?: RuleRow[];
  /** Latest applied governance version (absent before the first apply). */
  governance?: { version: number; artifacts: string } | null;
}

function parseSpec<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, kind: string, id: string, spec: string, warnings: string[]): T | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(spec);
  } catch {
    warnings.push(`${kind} ${id}: spec is not JSON`);
    return undefined;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    warnings.push(`${kind} ${id}: spec no longer matches its schema`);
    return undefined;
  }
  return parsed.data;
}

/** A workload's DLP policy; one that no longer compiles falls back to the default, with a warning. */
function compileWorkloadDlp(id: string, spec: WorkloadPut, warnings: string[]): CompiledDlpPolicy {
  try {
    return compileDlpPolicy(spec.dlp ?? DEFAULT_DLP_POLICY);
  } catch {
    warnings.push(`workload ${id}: dlp policy does not compile; the default policy applies`);
    return compileDlpPolicy(DEFAULT_DLP_POLICY);
  }
}

const StoredProvider = ProviderPut.omit({ api_key: true }).extend({ faults: Faults.optional() });

/**
 * Compiles stored rows into a bundle. Revoked keys are left out entirely.
 * @example const bundle = compileBundle(rows, Date.now());
 */
export function compileBundle(rows: BundleRows, now: number): PolicyBundle {
  const warnings: string[] = [];
  const providers = new Map<string, ProviderRuntime>();
  for (const row of rows.providers) {
    const spec = parseSpec(StoredProvider, "provider", row.id, row.spec, warnings);
    if (!spec) continue;
    providers.set(row.id, {
      id: row.id,
      type: spec.type,
      region: spec.region as Zone,
      baseUrl: spec.base_url,
      apiKey: row.secret ?? undefined,
      options: spec.options ?? {},
      faults: spec.faults ?? { mode: "none" },
    });
  }
  const models = new Map<string, ModelPolicy>();
  for (const row of rows.models) {
    const spec = parseSpec(ModelPut, "model", row.id, row.spec, warnings);
    if (spec) models.set(row.id, { ...spec, id: row.id, dataClassSet: new Set(spec.data_classes) });
  }
  const teams = new Map<string, TeamPolicy>();
  for (const row of rows.teams) {
    const spec = parseSpec(TeamPut, "team", row.id, row.spec, warnings);
    if (spec) teams.set(row.id, { ...spec, id: row.id, budgetNusd: usdToNusd(spec.monthly_budget_usd) });
  }
  const workloads = new Map<string, WorkloadPolicy>();
  for (const row of rows.workloads) {
    const spec = parseSpec(WorkloadPut, "workload", row.id, row.spec, warnings);
    if (spec) workloads.set(row.id, { ...spec, id: row.id, allowedModels: new Set(spec.allowed_models), dlpPolicy: compileWorkloadDlp(row.id, spec, warnings) });
  }
  const keysByHash = new Map<string, KeyPolicy>();
  for (const k of rows.keys) {
    if (k.revokedAt) continue;
    keysByHash.set(k.hash, {
      id: k.id,
      prefix: k.prefix,
      workload: k.workload,
      team: k.team,
      expiresAt: k.expiresAt ? Date.parse(k.expiresAt) : null,
    });
  }
  const routingRules = compileRules(rows.routingRules ?? [], warnings);
  const governance = rows.governance ? compileGovernance(rows.governance, warnings) : undefined;
  if (governance) attachExemptions(workloads, governance, warnings);
  return { version: rows.version, compiledAt: now, keysByHash, teams, workloads, models, providers, routingRules, warnings, ...(governance ? { governance } : {}) };
}

/** Compiles each workload's exempt DLP policies once per config version. */
function attachExemptions(workloads: Map<string, WorkloadPolicy>, governance: GovernancePolicy, warnings: string[]): void {
  for (const [id, list] of governance.exemptionsByWorkload) {
    const w = workloads.get(id);
    if (!w) continue;
    try {
      w.exemptions = exemptionSteps(w.dlp, list);
    } catch {
      warnings.push(`workload ${id}: an exemption's DLP policy does not compile; exemptions ignored`);
    }
  }
}
