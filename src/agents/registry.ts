/**
 * @module
 * The agent registry as the agent plane sees it: agents (with their compiled policies) and MCP
 * servers, cached per isolate and refreshed when the config version moves (checked at most every
 * CONFIG_CHECK_SECONDS, as the model-plane bundle is). Compiled CEL is cached by agent and
 * policy version, so an unrelated admin write reloads rows but compiles nothing.
 */
import { configDb } from "../config/control-db";
import type { Env } from "../env";
import { compilePolicy, type CompiledPolicy } from "./policy";
import type { AgentPut, McpServerPut } from "./schemas";

export interface RegisteredAgent {
  id: string;
  team: string;
  spec: AgentPut;
  jkt: string;
  policyVersion: number;
  policy: CompiledPolicy;
}

export interface RegisteredServer {
  id: string;
  url: string;
  spec: McpServerPut;
}

export interface AgentRegistry {
  version: number;
  agents: Map<string, RegisteredAgent>;
  servers: Map<string, RegisteredServer>;
}

let current: AgentRegistry | undefined;
let checkedAt = 0;
let loading: Promise<AgentRegistry> | undefined;
const compiled = new Map<string, CompiledPolicy>();

async function load(env: Pick<Env, "DB" | "CONTROL_DB">): Promise<AgentRegistry> {
  const control = configDb(env);
  const [v, agentRows, serverRows] = await control.batch([
    control.prepare("SELECT version FROM config_version WHERE id = 1"),
    control.prepare("SELECT id, team, spec, jkt, policy_version FROM agents"),
    control.prepare("SELECT id, url, spec FROM mcp_servers"),
  ]);
  const version = (v.results[0] as { version: number } | undefined)?.version ?? 0;
  const agents = new Map<string, RegisteredAgent>();
  const live = new Set<string>();
  for (const r of agentRows.results as Array<{ id: string; team: string; spec: string; jkt: string; policy_version: number }>) {
    const spec = JSON.parse(r.spec) as AgentPut;
    const key = `${r.id}@${r.policy_version}`;
    live.add(key);
    let policy = compiled.get(key);
    if (!policy) {
      try {
        policy = compilePolicy(r.id, r.policy_version, spec.grants);
      } catch {
        // Rules are checked when written; one that no longer compiles grants nothing (fail closed).
        policy = { agent: r.id, version: r.policy_version, grants: [] };
      }
      compiled.set(key, policy);
    }
    agents.set(r.id, { id: r.id, team: r.team, spec, jkt: r.jkt, policyVersion: r.policy_version, policy });
  }
  // Drop compiled policies of versions no longer current, so the cache stays bounded.
  for (const k of compiled.keys()) if (!live.has(k)) compiled.delete(k);
  const servers = new Map<string, RegisteredServer>();
  for (const r of serverRows.results as Array<{ id: string; url: string; spec: string }>) servers.set(r.id, { id: r.id, url: r.url, spec: JSON.parse(r.spec) as McpServerPut });
  return { version, agents, servers };
}

/**
 * The current registry. Waits on D1 only in a fresh isolate or when the version check is due.
 * @example const reg = await getAgentRegistry(env); reg.agents.get("sql-bot")
 */
export async function getAgentRegistry(env: Pick<Env, "DB" | "CONTROL_DB" | "CONFIG_CHECK_SECONDS">): Promise<AgentRegistry> {
  const every = Number(env.CONFIG_CHECK_SECONDS ?? 2) * 1000;
  if (current && Date.now() - checkedAt < every) return current;
  if (current) {
    const row = await configDb(env).prepare("SELECT version FROM config_version WHERE id = 1").first<{ version: number }>();
    checkedAt = Date.now();
    if ((row?.version ?? 0) === current.version) return current;
  }
  loading ??= load(env).finally(() => (loading = undefined));
  current = await loading;
  checkedAt = Date.now();
  return current;
}
