/**
 * @module
 * Behavioural baselines per agent, as plain data: from the agent's tool calls, a profile of the
 * previous 30 days (daily volume, refusals, tools, argument shapes, data classes touched) and the
 * deviations of the last 24 hours from it. Volumes use robust z-scores (median/MAD); anything
 * new in kind (a tool, an argument shape, a data class) is a deviation once the agent has a week
 * of history. Baselines need history before they judge: fewer than 7 active days raise nothing.
 */
import { median, mad, robustZ, ROBUST_Z_THRESHOLD } from "./stats";

export interface ObservedCall {
  ts: number;
  server: string;
  tool: string;
  decision: "allow" | "deny";
  argShape: string;
  dataClass: string | null;
}

export interface BaselineProfile {
  window_days: number;
  active_days: number;
  daily_calls: { median: number; mad: number };
  daily_denied: { median: number; mad: number };
  tools: string[];
  arg_shapes: string[];
  data_classes: string[];
}

export interface Deviation {
  kind: "call_volume" | "denied_volume" | "new_tool" | "new_arg_shape" | "new_data_class";
  detail: Record<string, number | string | string[]>;
}

const DAY = 86_400_000;
export const BASELINE_DAYS = 30;
const MIN_ACTIVE_DAYS = 7;

/**
 * @example const { profile, deviations } = evaluateBaseline(calls, Date.now());
 */
export function evaluateBaseline(calls: readonly ObservedCall[], now: number): { profile: BaselineProfile; deviations: Deviation[] } {
  const recentStart = now - DAY;
  const historyStart = recentStart - BASELINE_DAYS * DAY;
  const history = calls.filter((c) => c.ts >= historyStart && c.ts < recentStart);
  const recent = calls.filter((c) => c.ts >= recentStart && c.ts <= now);
  const daily = new Array<number>(BASELINE_DAYS).fill(0);
  const denied = new Array<number>(BASELINE_DAYS).fill(0);
  for (const c of history) {
    const d = Math.min(BASELINE_DAYS - 1, Math.floor((c.ts - historyStart) / DAY));
    daily[d]++;
    if (c.decision === "deny") denied[d]++;
  }
  // Days before the agent's first call are not "quiet days"; leaving them in would drag the median to 0.
  const first = daily.findIndex((n) => n > 0);
  const live = first < 0 ? [] : daily.slice(first);
  const liveDenied = first < 0 ? [] : denied.slice(first);
  const key = (c: ObservedCall) => `${c.server}/${c.tool}`;
  const profile: BaselineProfile = {
    window_days: BASELINE_DAYS,
    active_days: daily.filter((n) => n > 0).length,
    daily_calls: { median: median(live), mad: mad(live) },
    daily_denied: { median: median(liveDenied), mad: mad(liveDenied) },
    tools: [...new Set(history.map(key))].sort(),
    arg_shapes: [...new Set(history.map((c) => `${key(c)} ${c.argShape}`))].sort(),
    data_classes: [...new Set(history.map((c) => c.dataClass).filter((d): d is string => !!d))].sort(),
  };
  const deviations: Deviation[] = [];
  if (profile.active_days < MIN_ACTIVE_DAYS) return { profile, deviations };
  const z = robustZ(recent.length, live);
  if (Math.abs(z) > ROBUST_Z_THRESHOLD) deviations.push({ kind: "call_volume", detail: { calls_24h: recent.length, median: profile.daily_calls.median, mad: profile.daily_calls.mad, robust_z: Number(z.toFixed(2)) } });
  const recentDenied = recent.filter((c) => c.decision === "deny").length;
  const zd = robustZ(recentDenied, liveDenied);
  if (recentDenied >= 3 && zd > ROBUST_Z_THRESHOLD) deviations.push({ kind: "denied_volume", detail: { denied_24h: recentDenied, median: profile.daily_denied.median, robust_z: Number(zd.toFixed(2)) } });
  const newTools = [...new Set(recent.map(key))].filter((t) => !profile.tools.includes(t));
  if (newTools.length) deviations.push({ kind: "new_tool", detail: { tools: newTools } });
  const newShapes = [...new Set(recent.filter((c) => profile.tools.includes(key(c))).map((c) => `${key(c)} ${c.argShape}`))].filter((s) => !profile.arg_shapes.includes(s));
  if (newShapes.length) deviations.push({ kind: "new_arg_shape", detail: { shapes: newShapes.slice(0, 10) } });
  const newClasses = [...new Set(recent.map((c) => c.dataClass).filter((d): d is string => !!d))].filter((d) => !profile.data_classes.includes(d));
  if (newClasses.length) deviations.push({ kind: "new_data_class", detail: { data_classes: newClasses } });
  return { profile, deviations };
}
