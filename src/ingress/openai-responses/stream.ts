/**
 * @module
 * OpenAI chunks → the Responses API's streaming events: `response.created`,
 * `response.in_progress`, then per output item `response.output_item.added`, its deltas
 * (`response.content_part.added` + `response.output_text.delta`, or
 * `response.function_call_arguments.delta`) and `.done` events, and finally
 * `response.completed` (or `response.incomplete`) with usage. Every event carries its
 * `sequence_number`. An error mid-stream becomes `error` then `response.failed`.
 */
import type { ChatCompletionChunk, ChatCompletionRequest, Usage } from "../../gateway/schemas";
import type { StreamErrorPayload } from "../../providers/types";
import { sseEvent, type WireStreamEncoder } from "../types";
import { finishedStatus, responseId, responseObject, responsesUsage, type OutputItem, type ResponseShell } from "./response";

type ToolDelta = NonNullable<ChatCompletionChunk["choices"][number]["delta"]["tool_calls"]>[number];
type MessageItem = Extract<OutputItem, { type: "message" }>;
type CallItem = Extract<OutputItem, { type: "function_call" }>;

/**
 * @example const enc = responsesStreamEncoder(chatRequest); enc.chunk(chunk) + enc.end()
 */
export function responsesStreamEncoder(request: ChatCompletionRequest): WireStreamEncoder {
  let seq = 0;
  let shell: ResponseShell | undefined;
  let open: { item: MessageItem; index: number } | { item: CallItem; index: number; tool: number } | undefined;
  let usage: Usage | undefined;
  let failed = false;

  const event = (type: string, data: Record<string, unknown>) => sseEvent(type, { type, sequence_number: seq++, ...data });
  const snapshot = () => responseObject(shell!, request);

  const start = (id: string): string => {
    if (shell) return "";
    shell = { id: responseId(id), createdAt: Math.floor(Date.now() / 1000), status: "in_progress", finish: null, output: [], usage: null };
    return event("response.created", { response: snapshot() }) + event("response.in_progress", { response: snapshot() });
  };
  const close = (): string => {
    if (!open) return "";
    const { item, index } = open;
    open = undefined;
    item.status = "completed";
    if (item.type === "message") {
      const part = item.content[0];
      const at = { item_id: item.id, output_index: index, content_index: 0 };
      return event("response.output_text.done", { ...at, text: part.text, logprobs: [] })
        + event("response.content_part.done", { ...at, part })
        + event("response.output_item.done", { output_index: index, item });
    }
    return event("response.function_call_arguments.done", { item_id: item.id, output_index: index, name: item.name, arguments: item.arguments })
      + event("response.output_item.done", { output_index: index, item });
  };
  const add = (item: OutputItem): { out: string; index: number } => {
    const out = close();
    const index = shell!.output.push(item) - 1;
    // The `added` event shows the item as it starts (empty), not a live reference.
    return { out: out + event("response.output_item.added", { output_index: index, item: structuredClone(item) }), index };
  };
  const text = (delta: string): string => {
    let out = "";
    if (open?.item.type !== "message") {
      const id = `msg_${shell!.id.slice(5)}_${shell!.output.length}`;
      const item: MessageItem = { type: "message", id, status: "in_progress", role: "assistant", content: [] };
      const added = add(item);
      const part = { type: "output_text" as const, text: "", annotations: [] };
      item.content.push(part);
      out += added.out + event("response.content_part.added", { item_id: item.id, output_index: added.index, content_index: 0, part: { ...part } });
      open = { item, index: added.index };
    }
    const { item, index } = open as { item: MessageItem; index: number };
    item.content[0].text += delta;
    return out + event("response.output_text.delta", { item_id: item.id, output_index: index, content_index: 0, delta, logprobs: [] });
  };
  const tool = (call: ToolDelta): string => {
    let out = "";
    if (call.id !== undefined || open?.item.type !== "function_call" || !("tool" in open) || open.tool !== call.index) {
      const callId = call.id ?? `call_${shell!.output.length}`;
      const name = call.function?.name ?? "";
      const item: CallItem = { type: "function_call", id: `fc_${callId}`, call_id: callId, name, arguments: "", status: "in_progress" };
      const added = add(item);
      out += added.out;
      open = { item, index: added.index, tool: call.index };
    }
    const args = call.function?.arguments;
    if (!args) return out;
    const { item, index } = open as { item: CallItem; index: number };
    item.arguments += args;
    return out + event("response.function_call_arguments.delta", { item_id: item.id, output_index: index, delta: args });
  };

  return {
    chunk(chunk) {
      let out = start(chunk.id);
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) return out;
      if (choice.delta.content) out += text(choice.delta.content);
      for (const call of choice.delta.tool_calls ?? []) out += tool(call);
      if (choice.finish_reason) shell!.finish = choice.finish_reason;
      return out;
    },
    error(error: StreamErrorPayload["error"]) {
      failed = true;
      let out = start(`chatcmpl-${crypto.randomUUID()}`);
      const code = error.code ?? "server_error";
      out += event("error", { code, message: error.message, param: null });
      shell!.status = "failed";
      shell!.error = { code, message: error.message };
      return out + event("response.failed", { response: snapshot() });
    },
    end() {
      if (failed) return "";
      let out = start(`chatcmpl-${crypto.randomUUID()}`);
      out += close();
      shell!.status = finishedStatus(shell!.finish);
      shell!.usage = responsesUsage(usage);
      const type = shell!.status === "completed" ? "response.completed" : "response.incomplete";
      return out + event(type, { response: snapshot() });
    },
  };
}
