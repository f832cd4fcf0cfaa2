/**
 * @module
 * Anthropic Messages request → the pipeline's chat request. The system prompt becomes a system
 * message, `tool_use` blocks become assistant `tool_calls`, `tool_result` blocks become `tool`
 * messages (before the rest of their user turn, where OpenAI expects them), images become
 * `image_url` parts, `stop_sequences`/`top_k`/`metadata.user_id` map to their chat names.
 * Prior-turn `thinking` blocks are dropped: the chat format has no place for them.
 */
import { z } from "zod";
import type { ChatCompletionRequest, ChatMessage } from "../../gateway/schemas";

const Text = z.looseObject({ type: z.literal("text"), text: z.string() });
const Image = z.looseObject({
  type: z.literal("image"),
  source: z.union([
    z.looseObject({ type: z.literal("base64"), media_type: z.string().max(128), data: z.string() }),
    z.looseObject({ type: z.literal("url"), url: z.string().max(8192) }),
  ]),
});
const ToolUse = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string().max(256),
  name: z.string().min(1).max(256),
  input: z.record(z.string(), z.unknown()),
});
const ToolResult = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string().max(256),
  content: z.union([z.string(), z.array(z.union([Text, Image])).max(1024)]).optional(),
  is_error: z.boolean().optional(),
});
const Thinking = z.looseObject({ type: z.enum(["thinking", "redacted_thinking"]) });
const Block = z.discriminatedUnion("type", [Text, Image, ToolUse, ToolResult, Thinking]);
type Block = z.infer<typeof Block>;

const Message = z.object({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(Block).max(1024)]),
});

const Tool = z.looseObject({
  name: z.string().min(1).max(256),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()),
  // Anthropic's server tools (web search, code execution) carry a `type`; only client tools map.
  type: z.literal("custom").optional(),
});

const ToolChoice = z.looseObject({
  type: z.enum(["auto", "any", "tool", "none"]),
  name: z.string().max(256).optional(),
  disable_parallel_tool_use: z.boolean().optional(),
});

export const AnthropicMessagesRequest = z.looseObject({
  model: z.string().min(1).max(256),
  max_tokens: z.number().int().positive().max(10_000_000),
  messages: z.array(Message).min(1).max(4096),
  system: z.union([z.string(), z.array(Text).max(1024)]).optional(),
  stop_sequences: z.array(z.string()).max(64).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stream: z.boolean().optional(),
  tools: z.array(Tool).max(512).optional(),
  tool_choice: ToolChoice.optional(),
  metadata: z.looseObject({ user_id: z.string().max(512).nullable().optional() }).optional(),
});
export type AnthropicMessagesRequest = z.infer<typeof AnthropicMessagesRequest>;

type Part = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

function imagePart(block: z.infer<typeof Image>): Part {
  const s = block.source;
  const url = s.type === "base64" ? `data:${s.media_type};base64,${s.data}` : s.url;
  return { type: "image_url", image_url: { url } };
}

function resultText(block: z.infer<typeof ToolResult>): string {
  const c = block.content;
  const text = typeof c === "string" ? c : (c ?? []).map((p) => (p.type === "text" ? p.text : "")).join("");
  return block.is_error ? `Error: ${text}` : text;
}

/** One Anthropic turn → one or more chat messages. */
function mapTurn(role: "user" | "assistant", content: string | Block[]): ChatMessage[] {
  if (typeof content === "string") return [{ role, content }];
  if (role === "assistant") {
    const text = content.map((b) => (b.type === "text" ? b.text : "")).join("");
    const calls = content.flatMap((b) => (b.type === "tool_use"
      ? [{ id: b.id, type: "function" as const, function: { name: b.name, arguments: JSON.stringify(b.input) } }]
      : []));
    return [{ role, content: text || (calls.length ? null : ""), ...(calls.length ? { tool_calls: calls } : {}) }];
  }
  const tools: ChatMessage[] = [];
  const parts: Part[] = [];
  for (const b of content) {
    if (b.type === "tool_result") tools.push({ role: "tool", tool_call_id: b.tool_use_id, content: resultText(b) });
    else if (b.type === "text") parts.push({ type: "text", text: b.text });
    else if (b.type === "image") parts.push(imagePart(b));
  }
  return parts.length ? [...tools, { role, content: parts }] : tools;
}

function toolChoice(choice: z.infer<typeof ToolChoice>): ChatCompletionRequest["tool_choice"] {
  if (choice.type === "any") return "required";
  if (choice.type === "tool") return { type: "function", function: { name: choice.name ?? "" } };
  return choice.type;
}

/**
 * @example toChatRequest({ model: "m", max_tokens: 64, messages: [{ role: "user", content: "hi" }] })
 */
export function toChatRequest(req: AnthropicMessagesRequest): ChatCompletionRequest {
  const messages: ChatMessage[] = [];
  if (req.system !== undefined) {
    const text = typeof req.system === "string" ? req.system : req.system.map((b) => b.text).join("\n");
    messages.push({ role: "system", content: text });
  }
  for (const m of req.messages) messages.push(...mapTurn(m.role, m.content));
  const chat: ChatCompletionRequest = { model: req.model, messages, max_tokens: req.max_tokens };
  if (req.stream) {
    chat.stream = true;
    // The wire's message_delta carries usage: always ask the pipeline for it.
    chat.stream_options = { include_usage: true };
  }
  if (req.temperature !== undefined) chat.temperature = req.temperature;
  if (req.top_p !== undefined) chat.top_p = req.top_p;
  if (req.top_k !== undefined) chat.top_k = req.top_k;
  if (req.stop_sequences?.length) chat.stop = req.stop_sequences;
  if (req.tools?.length) {
    chat.tools = req.tools.map((t) => ({
      type: "function" as const,
      function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.input_schema },
    }));
  }
  if (req.tool_choice) {
    chat.tool_choice = toolChoice(req.tool_choice);
    if (req.tool_choice.disable_parallel_tool_use) chat.parallel_tool_calls = false;
  }
  if (req.metadata?.user_id) chat.user = req.metadata.user_id;
  return chat;
}

function mapped(req: AnthropicMessagesRequest, ctx: z.RefinementCtx): ChatCompletionRequest {
  const chat = toChatRequest(req);
  if (!chat.messages.some((m) => m.role !== "system")) {
    ctx.addIssue({ code: "custom", message: "messages must contain at least one user or assistant turn", path: ["messages"] });
    return z.NEVER;
  }
  return chat;
}

/** The ingress's request schema: validation, then the mapping (a message with no content left is a 400). */
export const AnthropicChatRequest = AnthropicMessagesRequest.transform(mapped);

/** count_tokens takes a Messages request without `max_tokens`. */
export const AnthropicCountTokensRequest = AnthropicMessagesRequest.extend({
  max_tokens: z.number().int().positive().max(10_000_000).default(1),
}).transform(mapped);
