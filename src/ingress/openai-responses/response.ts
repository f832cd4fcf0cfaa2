/**
 * @module
 * The pipeline's JSON answer as an OpenAI Responses `response` object: the assistant text as a
 * `message` output item with one `output_text` part, each tool call as a `function_call` item,
 * usage in Responses' names. Echoed request fields come from the mapped request.
 */
import type { ChatCompletion, ChatCompletionRequest, Usage } from "../../gateway/schemas";

export type OutputItem =
  | {
      type: "message"; id: string; status: "completed" | "in_progress"; role: "assistant";
      content: Array<{ type: "output_text"; text: string; annotations: unknown[] }>;
    }
  | { type: "function_call"; id: string; call_id: string; name: string; arguments: string; status: "completed" | "in_progress" };

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export function responsesUsage(usage: Usage | undefined | null): ResponsesUsage | null {
  if (!usage) return null;
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.prompt_tokens + usage.completion_tokens,
  };
}

/** A `resp_` id derived from the completion's, so the two name the same answer. */
export function responseId(completionId: string): string {
  return `resp_${completionId.replace(/^chatcmpl-/, "")}`;
}

export interface ResponseShell {
  id: string;
  createdAt: number;
  status: "in_progress" | "completed" | "incomplete" | "failed";
  finish: string | null;
  output: OutputItem[];
  usage: ResponsesUsage | null;
  error?: { code: string; message: string } | null;
}

/** A chat tool as the Responses API echoes a function tool. */
function echoTool(tool: NonNullable<ChatCompletionRequest["tools"]>[number]): Record<string, unknown> {
  const fn = tool.function as typeof tool.function & { strict?: boolean };
  return { type: "function", name: fn.name, description: fn.description ?? null, parameters: fn.parameters ?? null, strict: fn.strict ?? null };
}

/** The text format a response echoes: a json_schema format flattens its `json_schema` object. */
function echoFormat(format: ChatCompletionRequest["response_format"]): Record<string, unknown> {
  if (format?.type === "json_schema") return { type: "json_schema", ...(format.json_schema as object) };
  return { type: format?.type ?? "text" };
}

/** The full `response` object, as the JSON answer and the stream's lifecycle events carry it. */
export function responseObject(shell: ResponseShell, request: ChatCompletionRequest): Record<string, unknown> {
  return {
    id: shell.id,
    object: "response",
    created_at: shell.createdAt,
    status: shell.status,
    error: shell.error ?? null,
    incomplete_details: shell.status === "incomplete"
      ? { reason: shell.finish === "content_filter" ? "content_filter" : "max_output_tokens" }
      : null,
    instructions: null,
    max_output_tokens: request.max_tokens ?? null,
    model: request.model,
    output: shell.output,
    parallel_tool_calls: request.parallel_tool_calls !== false,
    previous_response_id: null,
    store: false,
    temperature: request.temperature ?? null,
    top_p: request.top_p ?? null,
    text: { format: echoFormat(request.response_format) },
    tool_choice: request.tool_choice ?? "auto",
    tools: (request.tools ?? []).map(echoTool),
    usage: shell.usage,
    metadata: {},
  };
}

/** Status of a finished answer: cut by the token limit or a content filter is `incomplete`. */
export function finishedStatus(finish: string | null): "completed" | "incomplete" {
  return finish === "length" || finish === "content_filter" ? "incomplete" : "completed";
}

/**
 * @example toResponse(completion, chatRequest).output[0].content[0].text
 */
export function toResponse(completion: ChatCompletion, request: ChatCompletionRequest): Record<string, unknown> {
  const choice = completion.choices[0];
  const id = responseId(completion.id);
  const output: OutputItem[] = [];
  if (choice?.message.content) {
    output.push({
      type: "message", id: `msg_${id.slice(5)}`, status: "completed", role: "assistant",
      content: [{ type: "output_text", text: choice.message.content, annotations: [] }],
    });
  }
  for (const call of choice?.message.tool_calls ?? []) {
    const { name, arguments: args } = call.function;
    output.push({ type: "function_call", id: `fc_${call.id}`, call_id: call.id, name, arguments: args, status: "completed" });
  }
  const finish = choice?.finish_reason ?? null;
  const usage = responsesUsage(completion.usage);
  const shell = { id, createdAt: completion.created, status: finishedStatus(finish), finish, output, usage };
  return responseObject(shell, request);
}
