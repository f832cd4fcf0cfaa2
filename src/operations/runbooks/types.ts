/**
 * @module
 * The one runbook contract: detect → diagnose → remediate → verify → escalate (and resolve once
 * the signal is gone). A runbook is a folder under runbooks/<kind>/ exporting a {@link Runbook};
 * the engine (../incidents/engine.ts) runs every step and records each on the incident with its
 * inputs and outcome, so a runbook only decides and acts.
 */
import type { Env } from "../../env";

export interface RunbookContext {
  env: Env;
  /** Epoch ms the run started (the cron's scheduled time). */
  now: number;
  /** Drill runs act on a synthetic fault: they must not change production state. */
  drill: boolean;
  /** Who acts, for audit records (`system:runbook:<kind>`). */
  actor: string;
}

/** One bad condition as detected; equal fingerprints are the same incident. */
export interface Signal {
  fingerprint: string;
  title: string;
  severity: "warning" | "critical";
  team?: string;
  subject: string;
  /** First bad signal (ISO); detection time is the engine's. */
  startedAt: string;
  evidence: Record<string, unknown>;
}

/** What one step did. `ok: false` on remediate or verify leads to escalation. */
export interface StepResult {
  outcome: "ok" | "failed" | "skipped" | "dry_run";
  inputs?: Record<string, unknown>;
  detail: Record<string, unknown>;
}

export interface Diagnosis {
  /** Facts for the on-call engineer; never request or response content. */
  facts: Record<string, unknown>;
  /** Set when a human is needed whatever remediation does (e.g. no healthy fallback exists). */
  mustEscalate?: string;
}

export interface Runbook {
  kind: string;
  /** One line for the README and the API: what the runbook may do on its own. */
  autonomy: string;
  detect(ctx: RunbookContext): Promise<Signal[]>;
  diagnose(ctx: RunbookContext, signal: Signal): Promise<Diagnosis>;
  remediate(ctx: RunbookContext, signal: Signal, diagnosis: Diagnosis): Promise<StepResult>;
  verify(ctx: RunbookContext, signal: Signal, diagnosis: Diagnosis): Promise<StepResult>;
  escalate(ctx: RunbookContext, signal: Signal, reason: string, diagnosis: Diagnosis): Promise<StepResult>;
  /** The signal is gone: undo temporary measures (breaker reset, tightened policy lifted). */
  resolve(ctx: RunbookContext, incident: { id: string; subject: string | null; diagnosis: Record<string, unknown> }): Promise<StepResult>;
  /** A synthetic signal for drills, from the drill request's parameters. */
  synthetic(ctx: RunbookContext, params: Record<string, unknown>): Promise<Signal>;
}
