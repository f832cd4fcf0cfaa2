/**
 * @module
 * DLP on the request and on JSON responses: every field that reaches a provider, a log or the
 * cache (message contents in all their shapes, names, tool calls and tool definitions, response
 * formats, metadata, unknown fields passed through, embedding inputs; refusals and reasoning in
 * answers) is scanned under the workload's compiled policy and rewritten with redactions before
 * anything leaves. Which fields those are is src/dlp/fields.ts; this module folds the findings
 * into one outcome: types, counts, a class and the fields that could not be scanned — never a
 * matched value, so it can go into usage events and errors.
 */
import { applyDlp, type CompiledDlpPolicy, type EntityType } from "../dlp";
import { walkChatRequest, walkCompletion, walkEmbeddingsRequest, type FieldVisitor } from "../dlp/fields";
import type { DataClass } from "../config/schemas";
import { GatewayError } from "../errors/openai";
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
  /** Parts that reach the provider but cannot be scanned as text (`messages[0].content[1]`: kind). */
  unscannable?: Array<{ field: string; kind: string }>;
}

/** Folds per-text results into one outcome and returns the rewritten text. */
export class DlpCollector implements FieldVisitor {
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

  unscannable(field: string, kind: string): void {
    (this.outcome.unscannable ??= []).push({ field, kind });
  }
}

type Json = Record<string, unknown>;

/**
 * Scans and redacts a chat request, every field that reaches the provider. Returns a new body
 * (the same object when nothing was masked); the input is not mutated. Non-text parts are listed
 * in `outcome.unscannable` (see {@link unscannableRefusal}).
 * @example const { body, outcome } = redactChatRequest(policy, req); if (outcome.blocked.length) refuse();
 */
export function redactChatRequest(policy: CompiledDlpPolicy, req: ChatCompletionRequest): { body: ChatCompletionRequest; outcome: DlpOutcome } {
  const c = new DlpCollector(policy);
  if (!policy.enabled) return { body: req, outcome: c.outcome };
  const body = walkChatRequest(req as Json, c) as ChatCompletionRequest;
  return { body, outcome: c.outcome };
}

/** Scans and redacts an embeddings request; token-id inputs are listed as unscannable. */
export function redactEmbeddingsRequest(policy: CompiledDlpPolicy, req: EmbeddingsRequest): { body: EmbeddingsRequest; outcome: DlpOutcome } {
  const c = new DlpCollector(policy);
  if (!policy.enabled) return { body: req, outcome: c.outcome };
  const body = walkEmbeddingsRequest(req as Json, c) as EmbeddingsRequest;
  return { body, outcome: c.outcome };
}

/** Scans and redacts every text field of the assistant messages of a JSON completion. */
export function redactCompletion(policy: CompiledDlpPolicy, completion: ChatCompletion): { completion: ChatCompletion; outcome: DlpOutcome } {
  const c = new DlpCollector(policy);
  if (!policy.enabled) return { completion, outcome: c.outcome };
  return { completion: walkCompletion(completion as unknown as Json, c) as unknown as ChatCompletion, outcome: c.outcome };
}

/**
 * The 403 for a restricted request that carries content DLP cannot read (an image, audio or file
 * part, token-id embedding input): restricted data may reach a provider only after it was
 * scanned. Other classes pass such parts (their text fields are still scanned).
 * @example const refusal = unscannableRefusal(dlp.outcome, dataClass); if (refusal) throw refusal;
 */
export function unscannableRefusal(o: DlpOutcome, dataClass: DataClass): GatewayError | undefined {
  const first = o.unscannable?.[0];
  if (!first || dataClass !== "restricted") return undefined;
  return new GatewayError(
    403,
    "permission_error",
    "dlp_unscannable",
    `Request refused by data-loss prevention: ${first.field} (${first.kind}) cannot be scanned, and a restricted ` +
      "request may carry only content DLP can read (rule: dlp.restricted_unscannable).",
    first.field,
  );
}

/** What a usage event may record about DLP: types and counts, never values. */
export function dlpDetail(where: "request" | "response", o: DlpOutcome): Record<string, unknown> {
  if (o.findings === 0 && !o.unscannable) return {};
  const unscannable = o.unscannable ? { unscannable: o.unscannable.slice(0, 20).map((u) => `${u.field}:${u.kind}`) } : {};
  const raise = o.raiseTo ? { raise_to: o.raiseTo } : {};
  return { [`dlp_${where}`]: { types: o.types, blocked: o.blocked, findings: o.findings, ...raise, ...unscannable } };
}
