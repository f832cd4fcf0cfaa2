/**
 * @module
 * Shadow-agent discovery as a pure function over usage events. Every event is grouped by API key
 * and scored on signals of automation: an agent id nobody registered, an automation user agent,
 * clockwork request regularity, activity around the clock, and volume far above the key's own
 * baseline (robust z over the previous days). One strong signal or two weak ones make a finding.
 *
 * The `x-switchyard-agent` header is unauthenticated, so it never excludes traffic: anyone could
 * send a registered agent's id to hide. It is evidence only — an unregistered id is a strong
 * signal, a registered one claimed over an API key is a weak one (agents prove who they are with
 * DPoP-bound agent tokens on the agent plane). A person closes a finding by registering it
 * (POST /discoveries/{id}/register), which suppresses that key's fingerprint from then on.
 */
import { gapCv, median, robustZ, ROBUST_Z_THRESHOLD } from "./stats";

export interface ObservedEvent {
  /** Milliseconds since the epoch. */
  ts: number;
  keyId: string | null;
  userAgent: string | null;
  /** The unauthenticated `x-switchyard-agent` header: a claim, never proof of identity. */
  agent: string | null;
  /** Tool names the request declared or called, when the pipeline recorded them. */
  tools?: string[];
}

export interface Finding {
  fingerprint: string;
  subject: { key_id: string | null; agents: string[]; user_agents: string[] };
  signals: string[];
  evidence: Record<string, number | string | boolean | string[]>;
  firstSeen: number;
  lastSeen: number;
}

const AUTOMATION_UA = /python-requests|httpx|aiohttp|urllib|curl\/|wget|go-http-client|okhttp|node-fetch|axios|undici|langchain|llama[-_ ]?index|autogen|crewai|semantic-kernel|\bbot\b|agent/i;
const MIN_EVENTS_FOR_CADENCE = 20;
const REGULAR_CV = 0.35;

/**
 * @example discover(events, new Set(["sql-bot"]), new Map([["key_1", [10, 12, 9]]]))
 */
export function discover(events: readonly ObservedEvent[], registered: ReadonlySet<string>, dailyHistory: ReadonlyMap<string, number[]>): Finding[] {
  const groups = new Map<string, ObservedEvent[]>();
  for (const e of events) {
    const k = e.keyId ?? `ua:${e.userAgent ?? "unknown"}`;
    const list = groups.get(k);
    if (list) list.push(e);
    else groups.set(k, [e]);
  }
  const findings: Finding[] = [];
  for (const [k, list] of groups) {
    const times = list.map((e) => e.ts).sort((a, b) => a - b);
    const agents = [...new Set(list.map((e) => e.agent).filter((a): a is string => !!a))];
    const uas = [...new Set(list.map((e) => e.userAgent).filter((u): u is string => !!u))];
    const tools = [...new Set(list.flatMap((e) => e.tools ?? []))];
    const strong: string[] = [];
    const weak: string[] = [];
    const evidence: Finding["evidence"] = { requests: list.length };
    const unknown = agents.filter((a) => !registered.has(a));
    const claimed = agents.filter((a) => registered.has(a));
    if (unknown.length) {
      strong.push("unknown_agent_id");
      evidence.unknown_agents = unknown;
    }
    if (claimed.length) {
      weak.push("unverified_agent_claim");
      evidence.claimed_agents = claimed;
    }
    const automatedUa = uas.filter((u) => AUTOMATION_UA.test(u));
    if (automatedUa.length) {
      weak.push("automation_user_agent");
      evidence.user_agents = automatedUa.slice(0, 5);
    }
    if (list.length >= MIN_EVENTS_FOR_CADENCE) {
      const cv = gapCv(times);
      evidence.gap_cv = Number(cv.toFixed(3));
      if (cv < REGULAR_CV) (list.length >= 50 ? strong : weak).push("regular_cadence");
      const hours = new Set(times.map((t) => new Date(t).getUTCHours())).size;
      evidence.active_hours = hours;
      if (hours >= 18) weak.push("round_the_clock");
    }
    const history = list[0].keyId ? dailyHistory.get(list[0].keyId) : undefined;
    if (history && history.length >= 7) {
      const z = robustZ(list.length, history);
      evidence.volume_robust_z = Number(z.toFixed(2));
      evidence.baseline_median = median(history);
      if (z > ROBUST_Z_THRESHOLD) weak.push("volume_anomaly");
    }
    if (tools.length) {
      evidence.tools = tools.slice(0, 20);
      if (tools.length >= 3) weak.push("tool_call_pattern");
    }
    if (!strong.length && weak.length < 2) continue;
    findings.push({
      fingerprint: list[0].keyId ? `key:${list[0].keyId}` : k,
      subject: { key_id: list[0].keyId, agents, user_agents: uas.slice(0, 5) },
      signals: [...strong, ...weak],
      evidence,
      firstSeen: times[0],
      lastSeen: times[times.length - 1],
    });
  }
  return findings;
}
