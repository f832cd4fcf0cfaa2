/**
 * @module
 * Who eval traffic calls the gateway as. A run calls the evaluated workload's model under that
 * workload's own identity (so its budgets, DLP policy and routing apply) with a dedicated key
 * `key_eval_<workload>`; the LLM judge calls under its own workload `switchyard-judge` (team
 * `switchyard-evals`, own budget). Keys are derived with HMAC from a deployment secret, so only
 * their hash is stored and no key travels in a queue message.
 */
import type { PolicyBundle } from "../config/bundle";
import { Zone } from "../config/schemas";
import { sha256Hex } from "../config/secrets";
import { db, eq, nowIso, schema, writeConfig } from "../config/store";
import type { Env } from "../env";

export const JUDGE_TEAM = "switchyard-evals";
export const JUDGE_WORKLOAD = "switchyard-judge";
/** The judge's own monthly budget: judging must not spend the evaluated team's money. */
export const JUDGE_BUDGET_USD = 200;

export const evalKeyId = (workload: string): string => `key_eval_${workload}`.slice(0, 64);

/**
 * The eval key of a workload: HMAC-SHA256(deployment secret, workload), base62.
 * @example const apiKey = await evalApiKey(env, "support-bot")
 */
export async function evalApiKey(env: Pick<Env, "SECRETS_KEY" | "ADMIN_JWT_SECRET">, workload: string): Promise<string> {
  const secret = env.SECRETS_KEY ?? env.ADMIN_JWT_SECRET ?? "switchyard-local-eval-keys";
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`eval-key:${workload}`)));
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  return `sk-sy-${[...mac].map((b) => alphabet[b % 62]).join("")}`;
}

/**
 * Makes sure the workload's eval key exists (one config write the first time, none after).
 * Returns false when the workload is decommissioned or its eval key was revoked.
 */
export async function ensureEvalKey(env: Env, workload: { id: string; team: string; lifecycle: string }): Promise<boolean> {
  if (workload.lifecycle === "decommissioned") return false;
  const d = db(env);
  const id = evalKeyId(workload.id);
  const existing = await d.select().from(schema.apiKeys).where(eq(schema.apiKeys.id, id)).get();
  if (existing) return existing.revokedAt === null;
  const apiKey = await evalApiKey(env, workload.id);
  await writeConfig(env, [d.insert(schema.apiKeys).values({
    id, hash: await sha256Hex(apiKey), prefix: apiKey.slice(0, 12), workload: workload.id, team: workload.team,
    name: "evaluations", createdAt: nowIso(), expiresAt: null, revokedAt: null,
  }).onConflictDoNothing()], { actor: "system:evals", action: "eval.key", resource: `keys/${id}`, detail: { workload: workload.id } });
  return true;
}

/**
 * Creates or refreshes the judge's team and workload (allowed: every chat model in the catalog)
 * and its key. Writes only when something changed.
 */
export async function ensureJudgeIdentity(env: Env, bundle: PolicyBundle): Promise<void> {
  const models = [...bundle.models.values()].filter((m) => m.kind === "chat").map((m) => m.id).sort();
  const current = bundle.workloads.get(JUDGE_WORKLOAD);
  const same = current !== undefined && [...current.allowed_models].sort().join(",") === models.join(",");
  if (same && bundle.teams.has(JUDGE_TEAM)) return void (await ensureEvalKey(env, { id: JUDGE_WORKLOAD, team: JUDGE_TEAM, lifecycle: "production" }));
  const d = db(env);
  const ts = nowIso();
  const zone = Zone.safeParse(env.REGION);
  const team = { name: "Evaluations (LLM judge)", monthly_budget_usd: JUDGE_BUDGET_USD, rpm: 10_000, tpm: 50_000_000, residency: zone.success ? zone.data : "us" };
  const workload = { team: JUDGE_TEAM, name: "LLM judge", default_data_class: "public", allowed_models: models, lifecycle: "production", owner: "platform" };
  const teamRow = { id: JUDGE_TEAM, residency: team.residency, spec: JSON.stringify(team), updatedAt: ts };
  const wlRow = { id: JUDGE_WORKLOAD, team: JUDGE_TEAM, lifecycle: "production", spec: JSON.stringify(workload), updatedAt: ts };
  await writeConfig(env, [
    ...(bundle.teams.has(JUDGE_TEAM) ? [] : [d.insert(schema.teams).values(teamRow).onConflictDoNothing()]),
    d.insert(schema.workloads).values(wlRow).onConflictDoUpdate({ target: schema.workloads.id, set: wlRow }),
  ], { actor: "system:evals", action: "eval.judge_identity", resource: `workloads/${JUDGE_WORKLOAD}`, detail: { models } });
  await ensureEvalKey(env, { id: JUDGE_WORKLOAD, team: JUDGE_TEAM, lifecycle: "production" });
}
