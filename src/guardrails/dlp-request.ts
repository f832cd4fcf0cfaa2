/**
 * @module
 * DLP on the request and on JSON responses: every text a request carries (message contents, text
 * parts, tool-call arguments, embedding inputs) is scanned under the workload's compiled policy
 * and rewritten with redactions before anything leaves for a provider. The outcome is types,
 * counts and a class: never a matched value, so it can go into usage events and errors.
 */
import { applyDlp, type CompiledDlpPolicy, type EntityType } from "../dlp";
import type { DataClass } from "../config/schemas";
import type { ChatCompletion, ChatCompletionRequest, EmbeddingsRequest } from "../gateway/schemas";

export interface DlpOutcome {
  /** Distinct types found, in order of first occurrence. */
  types: EntityType[];
  /** Distinct block-action types found; non-empty means refuse. */
  blocked: EntityType[];
  /** Class a raise-action finding asks for. */
  raiseTo?: Extract<DataClass, "internal" | "restricted">;
  /** Number of spans found (for tuning statistics). */
  findings: number;
}

/** Folds per-text results into one outcome and returns the rewritten text. */
class Collector {
  readonly outcome: DlpOutcome = { types: [], blocked: [], findings: 0 };
  constructor(private readonly policy: CompiledDlpPolicy) {}

  text(t: string): string {
    if (t.length === 0) return t;
    const r = applyDlp(this.policy, t);
    if (r.findings.length === 0) return t;
    this.outcome.findings += r.findings.length;
    for (const f of r.findings) if (!this.outcome.types.includes(f.type)) this.outcome.types.push(f.type);
    for (const b of r.blocked) if (!this.outcome.blocked.includes(b)) this.outcome.blocked.push(b);
    if (r.raiseTo && this.outcome.raiseTo !== "restricted") this.outcome.raiseTo = r.raiseTo;
    return r.redactedText;
  }
}

/**
 * Scans and redacts a chat request. Returns a new body; the input is not mutated.
 * @example const { body, outcome } = redactChatRequest(policy, req); if (outcome.blocked.length) refuse();
 */
export function redactChatRequest(policy: CompiledDlpPolicy, req: ChatCompletionRequest): { body: ChatCompletionRequest; outcome: DlpOutcome } {
  const c = new Collector(policy);
  if (!policy.enabled) return { body: req, outcome: c.outcome };
  const messages = req.messages.map((m) => {
    let content = m.content;
    if (typeof content === "string") content = c.text(content);
    else if (Array.isArray(content)) content = content.map((part) => (part.type === "text" && typeof part.text === "string" ? { ...part, text: c.text(part.text) } : part));
    const tool_calls = m.tool_calls?.map((t) => ({ ...t, function: { ...t.function, arguments: c.text(t.function.arguments) } }));
    return { ...m, content, ...(tool_calls ? { tool_calls } : {}) };
  });
  return { body: { ...req, messages }, outcome: c.outcome };
}

/** Scans and redacts embedding inputs (token-id inputs carry no text to scan). */
export function redactEmbeddingsRequest(policy: CompiledDlpPolicy, req: EmbeddingsRequest): { body: EmbeddingsRequest; outcome: DlpOutcome } {
  const c = new Collector(policy);
  if (!policy.enabled) return { body: req, outcome: c.outcome };
  const input = req.input;
  if (typeof input === "string") return { body: { ...req, input: c.text(input) }, outcome: c.outcome };
  if (Array.isArray(input) && input.every((x) => typeof x === "string")) {
    return { body: { ...req, input: (input as string[]).map((t) => c.text(t)) }, outcome: c.outcome };
  }
  return { body: req, outcome: c.outcome };
}

/** Scans and redacts the assistant messages of a JSON completion. */
export function redactCompletion(policy: CompiledDlpPolicy, completion: ChatCompletion): { completion: ChatCompletion; outcome: DlpOutcome } {
  const c = new Collector(policy);
  if (!policy.enabled) return { completion, outcome: c.outcome };
  const choices = completion.choices.map((ch) => ({
    ...ch,
    message: {
      ...ch.message,
      content: typeof ch.message.content === "string" ? c.text(ch.message.content) : ch.message.content,
      ...(ch.message.tool_calls ? { tool_calls: ch.message.tool_calls.map((t) => ({ ...t, function: { ...t.function, arguments: c.text(t.function.arguments) } })) } : {}),
    },
  }));
  return { completion: { ...completion, choices }, outcome: c.outcome };
}

/** What a usage event may record about DLP: types and counts, never values. */
export function dlpDetail(where: "request" | "response", o: DlpOutcome): Record<string, unknown> {
  return o.findings === 0 ? {} : { [`dlp_${where}`]: { types: o.types, blocked: o.blocked, findings: o.findings, ...(o.raiseTo ? { raise_to: o.raiseTo } : {}) } };
}
