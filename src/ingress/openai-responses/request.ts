/**
 * @module
 * OpenAI Responses request (stateless use) → the pipeline's chat request. `input` as a string or
 * items (messages, `function_call`, `function_call_output`), `instructions` as the system message,
 * function tools, `text.format` as `response_format`, `max_output_tokens` as `max_tokens`.
 * Stored responses are refused with a 400: `store: true`, `previous_response_id`, `conversation`
 * and `background` would need server-side state that follows the data class (not built).
 */
import { z } from "zod";
import type { ChatCompletionRequest, ChatMessage } from "../../gateway/schemas";

const Text = z.looseObject({ type: z.enum(["input_text", "output_text"]), text: z.string() });
const Refusal = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });
const Image = z.looseObject({ type: z.literal("input_image"), image_url: z.string().max(20_000_000) });
const Part = z.discriminatedUnion("type", [Text, Refusal, Image]);

const MessageItem = z.looseObject({
  type: z.literal("message").optional(),
  role: z.enum(["user", "assistant", "system", "developer"]),
  content: z.union([z.string(), z.array(Part).max(1024)]),
});
const FunctionCall = z.looseObject({
  type: z.literal("function_call"),
  call_id: z.string().max(256),
  name: z.string().min(1).max(256),
  arguments: z.string(),
});
const FunctionCallOutput = z.looseObject({
  type: z.literal("function_call_output"),
  call_id: z.string().max(256),
  output: z.union([z.string(), z.array(Text).max(1024)]),
});
const Item = z.union([FunctionCall, FunctionCallOutput, MessageItem]);
type Item = z.infer<typeof Item>;

const Tool = z.looseObject({
  type: z.literal("function"),
  name: z.string().min(1).max(256),
  description: z.string().nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  strict: z.boolean().nullable().optional(),
});

const Format = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    name: z.string().min(1).max(64),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().optional(),
    strict: z.boolean().nullable().optional(),
  }),
]);

export const ResponsesRequest = z.looseObject({
  model: z.string().min(1).max(256),
  input: z.union([z.string(), z.array(Item).min(1).max(4096)]),
  instructions: z.string().nullable().optional(),
  tools: z.array(Tool).max(512).optional(),
  tool_choice: z.union([
    z.enum(["auto", "none", "required"]),
    z.looseObject({ type: z.literal("function"), name: z.string().max(256) }),
  ]).optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  text: z.looseObject({ format: Format.optional() }).optional(),
  max_output_tokens: z.number().int().positive().max(10_000_000).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  store: z.boolean().nullable().optional(),
  previous_response_id: z.string().nullable().optional(),
  conversation: z.unknown().optional(),
  background: z.boolean().nullable().optional(),
  user: z.string().max(512).optional(),
});
export type ResponsesRequest = z.infer<typeof ResponsesRequest>;

type ChatPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

function messageContent(content: string | Array<z.infer<typeof Part>>): string | ChatPart[] {
  if (typeof content === "string") return content;
  return content.map((p): ChatPart => {
    if (p.type === "input_image") return { type: "image_url", image_url: { url: p.image_url } };
    return { type: "text", text: p.type === "refusal" ? p.refusal : p.text };
  });
}

/** Items → chat messages; consecutive `function_call` items join one assistant turn, as chat expects. */
function itemMessages(items: Item[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const item of items) {
    if (item.type === "function_call") {
      const call = { id: item.call_id, type: "function" as const, function: { name: item.name, arguments: item.arguments } };
      const last = out.at(-1);
      if (last?.role === "assistant" && last.tool_calls) last.tool_calls.push(call);
      else out.push({ role: "assistant", content: null, tool_calls: [call] });
    } else if (item.type === "function_call_output") {
      const text = typeof item.output === "string" ? item.output : item.output.map((p) => p.text).join("");
      out.push({ role: "tool", tool_call_id: item.call_id, content: text });
    } else {
      out.push({ role: item.role, content: messageContent(item.content) });
    }
  }
  return out;
}

function responseFormat(format: z.infer<typeof Format>): ChatCompletionRequest["response_format"] {
  if (format.type !== "json_schema") return { type: format.type };
  const { name, schema, description, strict } = format;
  const jsonSchema = { name, schema, ...(description ? { description } : {}), ...(strict != null ? { strict } : {}) };
  return { type: "json_schema", json_schema: jsonSchema };
}

/**
 * @example toChatRequest({ model: "m", input: "hi", instructions: "be brief" })
 */
export function toChatRequest(req: ResponsesRequest): ChatCompletionRequest {
  const messages: ChatMessage[] = [];
  if (req.instructions) messages.push({ role: "system", content: req.instructions });
  if (typeof req.input === "string") messages.push({ role: "user", content: req.input });
  else messages.push(...itemMessages(req.input));
  const chat: ChatCompletionRequest = { model: req.model, messages };
  if (req.stream) {
    chat.stream = true;
    // response.completed carries usage: always ask the pipeline for it.
    chat.stream_options = { include_usage: true };
  }
  if (req.max_output_tokens != null) chat.max_tokens = req.max_output_tokens;
  if (req.temperature != null) chat.temperature = req.temperature;
  if (req.top_p != null) chat.top_p = req.top_p;
  if (req.parallel_tool_calls != null) chat.parallel_tool_calls = req.parallel_tool_calls;
  if (req.user) chat.user = req.user;
  if (req.tools?.length) {
    chat.tools = req.tools.map((t) => ({
      type: "function" as const,
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        ...(t.parameters ? { parameters: t.parameters } : {}),
        ...(t.strict != null ? { strict: t.strict } : {}),
      },
    }));
  }
  if (req.tool_choice) {
    const choice = req.tool_choice;
    chat.tool_choice = typeof choice === "string" ? choice : { type: "function", function: { name: choice.name } };
  }
  if (req.text?.format) chat.response_format = responseFormat(req.text.format);
  return chat;
}

/** The stateful features this gateway refuses, and why (the 400's message). */
function statefulRefusal(req: ResponsesRequest): { path: string; message: string } | undefined {
  const why = "Switchyard's /v1/responses is stateless (no response storage): send the whole conversation in `input`";
  if (req.store === true) return { path: "store", message: `store: true is not supported. ${why} and set store: false or omit it.` };
  if (req.previous_response_id) return { path: "previous_response_id", message: `previous_response_id is not supported. ${why}.` };
  if (req.conversation != null) return { path: "conversation", message: `conversation is not supported. ${why}.` };
  if (req.background === true) {
    return { path: "background", message: "background: true is not supported: responses are answered in the request." };
  }
  return undefined;
}

/** The ingress's request schema: validation, the stateless check, then the mapping. */
export const ResponsesChatRequest = ResponsesRequest.transform((req, ctx): ChatCompletionRequest => {
  const refusal = statefulRefusal(req);
  if (refusal) {
    ctx.addIssue({ code: "custom", message: refusal.message, path: [refusal.path] });
    return z.NEVER;
  }
  const chat = toChatRequest(req);
  if (!chat.messages.some((m) => m.role !== "system")) {
    ctx.addIssue({ code: "custom", message: "input must contain at least one message", path: ["input"] });
    return z.NEVER;
  }
  return chat;
});
