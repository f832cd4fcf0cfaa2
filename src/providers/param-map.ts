/**
 * @module
 * Declarative OpenAI → provider parameter tables (Portkey's idea, typed). Each row names where an
 * OpenAI parameter lands in the provider's body and, when the value needs it, how to convert it.
 * Adapters keep their tables as data, so what a provider supports reads at a glance and adding a
 * parameter is one row, not a new branch.
 */
import type { ChatCompletionRequest } from "../gateway/schemas";

export interface ParamRule {
  /** Dotted path in the provider body, e.g. `generationConfig.maxOutputTokens`. */
  to: string;
  /** Converts the OpenAI value; returning `undefined` drops the parameter. */
  transform?: (value: unknown, request: ChatCompletionRequest) => unknown;
}

/** OpenAI parameter name → provider path (a string) or rule. Later rows win on the same path. */
export type ParamMap = Readonly<Record<string, string | ParamRule>>;

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== "object" || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

/**
 * Copies every parameter the client set (null and undefined count as unset) into `target`.
 * @example
 * const body = {};
 * applyParamMap({ model: "m", messages: [], top_p: 0.5 }, { top_p: "generationConfig.topP" }, body);
 * // body = { generationConfig: { topP: 0.5 } }
 */
export function applyParamMap(request: ChatCompletionRequest, map: ParamMap, target: Record<string, unknown>): void {
  const source = request as Record<string, unknown>;
  for (const [param, rule] of Object.entries(map)) {
    const value = source[param];
    if (value === undefined || value === null) continue;
    const r: ParamRule = typeof rule === "string" ? { to: rule } : rule;
    const mapped = r.transform ? r.transform(value, request) : value;
    if (mapped !== undefined) setPath(target, r.to, mapped);
  }
}
