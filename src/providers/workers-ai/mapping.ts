/**
 * @module
 * OpenAI shapes ↔ Workers AI text-generation and embedding models. Workers AI answers in two
 * formats depending on the model: its native one (`{response, tool_calls?, usage?}`, streamed as
 * `data: {"response":"…"}` events ending with `data: [DONE]`) and, for newer models, OpenAI's.
 * Both are read.
 */
import type { ChatCompletion, ChatMessage, EmbeddingsResponse, Usage } from "../../gateway/schemas";
import { ChunkWriter, contentText, estimateTokens, nowSeconds, parseEventJson } from "../chunks";
import { applyParamMap, type ParamMap } from "../param-map";
import type { ChatCall, EmbeddingsCall, StreamTransformer } from "../types";

export const PARAMS: ParamMap = {
  max_tokens: "max_tokens",
  max_completion_tokens: "max_tokens",
  temperature: "temperature",
  top_p: "top_p",
  top_k: "top_k",
  seed: "seed",
  frequency_penalty: "frequency_penalty",
  presence_penalty: "presence_penalty",
  response_format: "response_format",
  tools: "tools",
  tool_choice: "tool_choice",
};

function toMessage(m: ChatMessage): Record<string, unknown> {
  // The binding validates strictly: no null content, and no developer role.
  const role = m.role === "developer" ? "system" : m.role;
  const onlyText = !Array.isArray(m.content) || m.content.every((p) => p.type === "text");
  const out: Record<string, unknown> = { role, content: onlyText ? contentText(m.content) : m.content };
  if (m.tool_calls) out.tool_calls = m.tool_calls;
  if (m.tool_call_id) out.tool_call_id = m.tool_call_id;
  if (m.name) out.name = m.name;
  return out;
}

/** The `inputs` object for `AI.run(model, inputs)`. */
export function workersAiChatInputs(call: ChatCall): Record<string, unknown> {
  const inputs: Record<string, unknown> = { messages: call.request.messages.map(toMessage) };
  // Workers AI's default of 256 output tokens truncates most answers; a provider may set its own.
  const fallbackMax = Number(call.provider.options.max_tokens);
  if (fallbackMax > 0) inputs.max_tokens = fallbackMax;
  applyParamMap(call.request, PARAMS, inputs);
  if (call.stream) inputs.stream = true;
  return inputs;
}

type ToolCall = NonNullable<ChatCompletion["choices"][number]["message"]["tool_calls"]>[number];

/** Native (`{name, arguments}`, arguments often an object) or OpenAI-shaped tool calls. */
interface RawToolCall {
  id?: string | null;
  index?: number;
  name?: string | null;
  arguments?: unknown;
  function?: { name?: string | null; arguments?: unknown } | null;
}

function argsText(args: unknown): string {
  if (args === undefined || args === null) return "";
  return typeof args === "string" ? args : JSON.stringify(args);
}

function toToolCall(raw: RawToolCall, n: number): ToolCall {
  const name = raw.function?.name ?? raw.name ?? "";
  return { id: raw.id || `call_${crypto.randomUUID().slice(0, 8)}_${n}`, type: "function", function: { name, arguments: argsText(raw.function?.arguments ?? raw.arguments) || "{}" } };
}

function toUsage(u: Partial<Usage> | undefined): Usage | undefined {
  if (!u) return undefined;
  const prompt = u.prompt_tokens ?? 0;
  const completion = u.completion_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: u.total_tokens ?? prompt + completion };
}

interface NativeResult {
  response?: unknown;
  tool_calls?: RawToolCall[];
  usage?: Partial<Usage>;
  choices?: ChatCompletion["choices"];
  id?: string;
  model?: string;
}

export function workersAiChatResponse(body: unknown, call: ChatCall): ChatCompletion {
  const r = body as NativeResult;
  if (!r || typeof r !== "object") throw new Error("upstream answered a malformed result");
  const usage = toUsage(r.usage);
  if (Array.isArray(r.choices)) {
    return { id: r.id ?? `chatcmpl-${crypto.randomUUID()}`, object: "chat.completion", created: nowSeconds(), model: r.model ?? call.model, choices: r.choices, ...(usage ? { usage } : {}) };
  }
  const toolCalls = (r.tool_calls ?? []).map(toToolCall);
  // Some models answer JSON mode with an object instead of a string.
  const text = typeof r.response === "string" ? r.response : r.response == null ? "" : JSON.stringify(r.response);
  return {
    id: `chatcmpl-${crypto.randomUUID()}`,
    object: "chat.completion",
    created: nowSeconds(),
    model: call.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: text === "" && toolCalls.length ? null : text, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        finish_reason: toolCalls.length ? "tool_calls" : "stop",
        logprobs: null,
      },
    ],
    ...(usage ? { usage } : {}),
  };
}

/**
 * Stateful mapper for binding streams. Native events carry no finish reason, so the end of the
 * stream (`[DONE]`) finishes the turn: "tool_calls" when tools were called, else "stop".
 */
export function workersAiStreamTransformer(call: ChatCall): StreamTransformer {
  const out = new ChunkWriter(call);
  const tools = new Set<number>();
  let done = false;

  const addTools = (calls: RawToolCall[]) => {
    calls.forEach((raw, position) => {
      const name = raw.function?.name ?? raw.name;
      const args = argsText(raw.function?.arguments ?? raw.arguments);
      // Some models close each call with an all-null entry; it carries nothing.
      if (!raw.id && !name && !args) return;
      const index = raw.index ?? position;
      if (!tools.has(index)) {
        tools.add(index);
        const first = toToolCall(raw, index);
        out.toolCall(index, { id: first.id, name: first.function.name, arguments: args });
      } else if (args) out.toolCall(index, { arguments: args });
    });
  };

  const onData = (d: Record<string, unknown>) => {
    const usage = toUsage(d.usage as Partial<Usage> | undefined);
    if (usage) out.setUsage(usage);
    if (typeof d.response === "string") out.content(d.response);
    if (Array.isArray(d.tool_calls)) addTools(d.tool_calls as RawToolCall[]);
    const choice = (d.choices as Array<{ delta?: { content?: string | null; tool_calls?: RawToolCall[] }; finish_reason?: string | null }> | undefined)?.[0];
    if (choice) {
      if (choice.delta?.content) out.content(choice.delta.content);
      if (choice.delta?.tool_calls) addTools(choice.delta.tool_calls);
      if (choice.finish_reason) out.finish(choice.finish_reason);
    }
  };

  const finishTurn = () => {
    out.begin();
    out.finish(tools.size ? "tool_calls" : "stop");
    out.close(true);
  };

  return out.transformer(
    (event) => {
      if (event.data === "[DONE]") {
        done = true;
        return finishTurn();
      }
      out.begin();
      const data = parseEventJson(event);
      if (data) onData(data);
    },
    () => (done ? undefined : out.close(false)),
  );
}

export function workersAiEmbeddingInputs(call: EmbeddingsCall): Record<string, unknown> {
  const input = call.request.input;
  if (typeof input === "string") return { text: [input] };
  if (input.every((x): x is string => typeof x === "string")) return { text: input };
  throw new Error("workers-ai adapter takes embeddings input as text, not token ids");
}

export function workersAiEmbeddingsResponse(body: unknown, call: EmbeddingsCall): EmbeddingsResponse {
  const r = body as { data?: number[][]; shape?: number[] };
  if (!r || !Array.isArray(r.data)) throw new Error("upstream answered malformed embeddings");
  // The binding reports no token counts; an estimate keeps budgets honest.
  const texts = workersAiEmbeddingInputs(call).text as string[];
  const tokens = texts.reduce((sum, t) => sum + estimateTokens(t), 0);
  return {
    object: "list",
    data: r.data.map((embedding, index) => ({ object: "embedding", index, embedding })),
    model: call.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
