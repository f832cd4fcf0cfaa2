/**
 * @module
 * The record of every tool call the proxy decided: a row in `agent_calls` (baselines, last use,
 * traces read it) and, for refusals, an audit-log row naming agent, tool, the arguments' shape
 * and the failing rule. Written after the answer (`waitUntil`), never on the request's path.
 */
import type { Env } from "../env";
import { audit } from "../config/store";
import { argShape, type Args } from "./policy";

export interface CallRecord {
  agent: string;
  chain: string[];
  trace: string;
  server: string;
  tool: string;
  args: Args;
  decision: "allow" | "deny";
  rule?: string;
  reason?: string;
  /** Which agent of the chain the refusal was for (confused-deputy checks cover all of them). */
  deniedFor?: string;
}

/**
 * @example ctx.waitUntil(recordCall(env, { agent, chain, trace, server, tool, args, decision: "deny", rule }))
 */
export async function recordCall(env: Pick<Env, "DB">, call: CallRecord): Promise<void> {
  const shape = JSON.stringify(argShape(call.args));
  const ts = new Date().toISOString();
  try {
    await env.DB.prepare("INSERT INTO agent_calls (ts, agent, server, tool, decision, rule, arg_shape, trace, chain) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(ts, call.agent, call.server, call.tool, call.decision, call.rule ?? null, shape, call.trace, JSON.stringify(call.chain))
      .run();
    if (call.decision === "deny") {
      await audit(env, {
        actor: `agent:${call.agent}`,
        action: "agent.tool_call.denied",
        resource: `mcp-servers/${call.server}/tools/${call.tool}`,
        detail: { agent: call.agent, chain: call.chain, trace: call.trace, tool: call.tool, arg_shape: JSON.parse(shape), rule: call.rule, reason: call.reason, denied_for: call.deniedFor },
      });
    }
  } catch (err) {
    console.error("agent call not recorded", { error: err instanceof Error ? err.message : String(err) });
  }
}
