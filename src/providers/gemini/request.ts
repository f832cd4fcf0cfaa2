/**
 * @module
 * OpenAI chat request → Gemini `generateContent` request: messages become `contents` with roles
 * user/model, system and developer messages `systemInstruction`, tools `functionDeclarations`,
 * sampling parameters `generationConfig` (from the table below).
 */
import type { ChatCompletionRequest, ChatMessage } from "../../gateway/schemas";
import { contentText, parseArguments, parseDataUrl } from "../chunks";
import { applyParamMap, type ParamMap } from "../param-map";
import type { ChatCall } from "../types";
import type { Content, Part } from "./wire";

export const PARAMS: ParamMap = {
  temperature: "generationConfig.temperature",
  top_p: "generationConfig.topP",
  top_k: "generationConfig.topK",
  max_tokens: "generationConfig.maxOutputTokens",
  // The newer OpenAI name wins when a client sends both.
  max_completion_tokens: "generationConfig.maxOutputTokens",
  stop: { to: "generationConfig.stopSequences", transform: (s) => (Array.isArray(s) ? s : [s]) },
  n: "generationConfig.candidateCount",
  seed: "generationConfig.seed",
  presence_penalty: "generationConfig.presencePenalty",
  frequency_penalty: "generationConfig.frequencyPenalty",
  response_format: {
    to: "generationConfig.responseMimeType",
    transform: (f) => ((f as { type?: string }).type === "text" ? undefined : "application/json"),
  },
};

/**
 * Gemini 3 models reject a replayed function call without the thought signature they attached.
 * A stateless gateway cannot keep signatures between calls, so replayed calls carry the
 * validator-skip value Google documents for history that did not come from the model itself.
 */
export const SKIP_THOUGHT_SIGNATURE = "skip_thought_signature_validator";

function needsThoughtSignature(model: string): boolean {
  const m = /gemini-(\d+)/.exec(model);
  return m !== null && Number(m[1]) >= 3;
}

/** The model name without the `models/` prefix Google's resource names carry. */
export function modelName(model: string): string {
  return model.replace(/^models\//, "");
}

type ContentPart = Extract<ChatMessage["content"], unknown[]>[number];

function inline(url: string, what: string): Part {
  const data = parseDataUrl(url);
  // Gemini fetches no arbitrary URLs; throwing lets routing try a target that can.
  if (!data) throw new Error(`gemini adapter takes ${what} only as data: URLs`);
  return { inlineData: { mimeType: data.mediaType, data: data.data } };
}

function toPart(part: ContentPart): Part {
  switch (part.type) {
    case "text":
      return { text: String(part.text ?? "") };
    case "image_url": {
      const ref = part.image_url as { url?: unknown } | string | undefined;
      return inline(typeof ref === "string" ? ref : String(ref?.url ?? ""), "images");
    }
    case "input_audio": {
      const audio = (part.input_audio ?? {}) as { data?: string; format?: string };
      return { inlineData: { mimeType: `audio/${audio.format ?? "wav"}`, data: audio.data ?? "" } };
    }
    case "file":
      return inline(String((part.file as { file_data?: unknown } | undefined)?.file_data ?? ""), "files");
    default:
      throw new Error(`gemini adapter cannot send content parts of type "${part.type}"`);
  }
}

function userParts(content: ChatMessage["content"]): Part[] {
  if (typeof content === "string") return content === "" ? [] : [{ text: content }];
  return Array.isArray(content) ? content.map(toPart) : [];
}

/** A tool's answer as the JSON object Gemini's functionResponse requires. */
function toolResponse(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    return { output: parsed };
  } catch {
    return { output: text };
  }
}

/** Maps the conversation; consecutive same-role turns merge (parallel tool answers must share one). */
export function toContents(messages: ChatMessage[], model: string): { system?: string; contents: Content[] } {
  const system: string[] = [];
  const contents: Content[] = [];
  // Gemini answers a function call by name; OpenAI tool messages only carry the call id.
  const toolNames = new Map<string, string>();
  const signed = needsThoughtSignature(model);
  const push = (role: Content["role"], parts: Part[]) => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const m of messages) {
    switch (m.role) {
      case "system":
      case "developer":
        system.push(contentText(m.content));
        break;
      case "user":
        push("user", userParts(m.content));
        break;
      case "assistant": {
        const text = contentText(m.content);
        const parts: Part[] = text ? [{ text }] : [];
        (m.tool_calls ?? []).forEach((call, i) => {
          toolNames.set(call.id, call.function.name);
          const part: Part = { functionCall: { name: call.function.name, args: parseArguments(call.function.arguments) } };
          // Only the first call of a turn carries a signature, as in the model's own output.
          if (signed && i === 0) part.thoughtSignature = SKIP_THOUGHT_SIGNATURE;
          parts.push(part);
        });
        push("model", parts);
        break;
      }
      case "tool": {
        const name = toolNames.get(m.tool_call_id ?? "") ?? m.name ?? m.tool_call_id ?? "tool";
        push("user", [{ functionResponse: { name, response: toolResponse(contentText(m.content)) } }]);
        break;
      }
      default:
        throw new Error(`gemini adapter cannot send messages with role "${m.role}"`);
    }
  }
  const joined = system.filter((s) => s !== "").join("\n\n");
  return joined ? { system: joined, contents } : { contents };
}

function toolConfig(choice: ChatCompletionRequest["tool_choice"]): Record<string, unknown> | undefined {
  if (choice === "none") return { functionCallingConfig: { mode: "NONE" } };
  if (choice === "auto") return { functionCallingConfig: { mode: "AUTO" } };
  if (choice === "required") return { functionCallingConfig: { mode: "ANY" } };
  const name = typeof choice === "object" ? (choice as { function?: { name?: unknown } }).function?.name : undefined;
  if (typeof name === "string") return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [name] } };
  return undefined;
}

/** The generateContent body for a call. */
export function geminiBody(call: ChatCall): Record<string, unknown> {
  const req = call.request;
  const { system, contents } = toContents(req.messages, modelName(call.model));
  const body: Record<string, unknown> = { contents };
  if (system) body.systemInstruction = { parts: [{ text: system }] };
  if (req.tools?.length) {
    // parametersJsonSchema takes full JSON Schema; the older `parameters` field rejects keys
    // OpenAI strict schemas always carry (additionalProperties).
    const functionDeclarations = req.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      ...(t.function.parameters ? { parametersJsonSchema: t.function.parameters } : {}),
    }));
    body.tools = [{ functionDeclarations }];
    const config = toolConfig(req.tool_choice);
    if (config) body.toolConfig = config;
  }
  applyParamMap(req, PARAMS, body);
  const schema = (req.response_format as { json_schema?: { schema?: unknown } } | undefined)?.json_schema?.schema;
  if (req.response_format?.type === "json_schema" && schema) {
    (body.generationConfig as Record<string, unknown>).responseJsonSchema = schema;
  }
  return body;
}
