/**
 * @module
 * OpenAI chat request → Anthropic Messages request. System and developer messages move to
 * `system`, tool definitions to `tools` with `input_schema`, assistant `tool_calls` become
 * `tool_use` blocks and `tool` messages become `tool_result` blocks in a user turn.
 */
import type { ChatCompletionRequest, ChatMessage } from "../../gateway/schemas";
import { contentText, parseArguments, parseDataUrl } from "../chunks";
import { applyParamMap, type ParamMap } from "../param-map";
import type { ChatCall } from "../types";
import type { AnthropicMessage, AnthropicTool, AnthropicToolChoice, RequestBlock } from "./wire";

/** Anthropic requires `max_tokens`; used when neither the client nor `options.max_tokens` sets one. */
export const DEFAULT_MAX_TOKENS = 4096;

export const PARAMS: ParamMap = {
  max_tokens: "max_tokens",
  // The newer OpenAI name wins when a client sends both.
  max_completion_tokens: "max_tokens",
  // OpenAI accepts 0..2, Anthropic 0..1: clamp rather than have the upstream reject the call.
  temperature: { to: "temperature", transform: (t) => Math.min(1, t as number) },
  top_p: "top_p",
  top_k: "top_k",
  stop: { to: "stop_sequences", transform: (s) => (Array.isArray(s) ? s : [s]) },
  user: "metadata.user_id",
};

type Part = Extract<ChatMessage["content"], unknown[]>[number];

function partToBlock(part: Part): RequestBlock {
  if (part.type === "text") return { type: "text", text: String(part.text ?? "") };
  if (part.type === "image_url") {
    const ref = part.image_url as { url?: unknown } | string | undefined;
    const url = typeof ref === "string" ? ref : String(ref?.url ?? "");
    const inline = parseDataUrl(url);
    return inline
      ? { type: "image", source: { type: "base64", media_type: inline.mediaType, data: inline.data } }
      : { type: "image", source: { type: "url", url } };
  }
  // Throwing makes the executor report "unsupported", so routing can try another target.
  throw new Error(`anthropic adapter cannot send content parts of type "${part.type}"`);
}

function userBlocks(content: ChatMessage["content"]): RequestBlock[] {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  if (!Array.isArray(content)) return [];
  return content.map(partToBlock).filter((b) => b.type !== "text" || b.text !== "");
}

function assistantBlocks(m: ChatMessage): RequestBlock[] {
  // Anthropic rejects empty text blocks, which OpenAI clients send freely next to tool calls.
  const blocks: RequestBlock[] = userBlocks(m.content).filter((b) => b.type === "text");
  for (const call of m.tool_calls ?? []) {
    blocks.push({ type: "tool_use", id: call.id, name: call.function.name, input: parseArguments(call.function.arguments) });
  }
  return blocks;
}

/** Splits out the system prompt and maps the conversation, merging consecutive same-role turns. */
export function toAnthropicMessages(messages: ChatMessage[]): { system?: string; messages: AnthropicMessage[] } {
  const system: string[] = [];
  const out: AnthropicMessage[] = [];
  const push = (role: AnthropicMessage["role"], blocks: RequestBlock[]) => {
    if (blocks.length === 0) return;
    const last = out[out.length - 1];
    // Tool results for parallel calls must arrive in one user turn, so same-role turns merge.
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    switch (m.role) {
      case "system":
      case "developer":
        // Anthropic has one system prompt; instructions given mid-conversation join it in order.
        system.push(contentText(m.content));
        break;
      case "user":
        push("user", userBlocks(m.content));
        break;
      case "assistant":
        push("assistant", assistantBlocks(m));
        break;
      case "tool":
        push("user", [{ type: "tool_result", tool_use_id: m.tool_call_id ?? "", content: contentText(m.content) }]);
        break;
      default:
        throw new Error(`anthropic adapter cannot send messages with role "${m.role}"`);
    }
  }
  const joined = system.filter((s) => s !== "").join("\n\n");
  return joined ? { system: joined, messages: out } : { messages: out };
}

function toTools(tools: NonNullable<ChatCompletionRequest["tools"]>): AnthropicTool[] {
  return tools.map((t) => ({
    name: t.function.name,
    ...(t.function.description ? { description: t.function.description } : {}),
    input_schema: t.function.parameters ?? { type: "object", properties: {} },
  }));
}

function toToolChoice(req: ChatCompletionRequest): AnthropicToolChoice | undefined {
  const choice = req.tool_choice;
  const serial = req.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return req.parallel_tool_calls === false && req.tools?.length ? { type: "auto", ...serial } : undefined;
  if (choice === "none") return { type: "none" };
  if (choice === "auto") return { type: "auto", ...serial };
  if (choice === "required") return { type: "any", ...serial };
  if (typeof choice === "object") {
    const name = (choice as { function?: { name?: unknown } }).function?.name;
    if (typeof name === "string") return { type: "tool", name, ...serial };
  }
  return undefined;
}

/** The Messages API body for a call. */
export function anthropicBody(call: ChatCall): Record<string, unknown> {
  const req = call.request;
  if ((req.n ?? 1) > 1) throw new Error("anthropic adapter cannot return more than one choice (n > 1)");
  const { system, messages } = toAnthropicMessages(req.messages);
  const fallbackMax = Number(call.provider.options.max_tokens) || DEFAULT_MAX_TOKENS;
  const body: Record<string, unknown> = { model: call.model, max_tokens: fallbackMax };
  applyParamMap(req, PARAMS, body);
  if (system) body.system = system;
  body.messages = messages;
  if (req.tools?.length) body.tools = toTools(req.tools);
  const toolChoice = toToolChoice(req);
  if (toolChoice && req.tools?.length) body.tool_choice = toolChoice;
  if (call.stream) body.stream = true;
  return body;
}
