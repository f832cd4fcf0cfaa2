/**
 * @module
 * The parts of the Gemini API wire format (generativelanguage.googleapis.com, v1beta) the
 * adapter reads and writes: generateContent / streamGenerateContent and batchEmbedContents.
 */

export interface FunctionCall {
  id?: string;
  name: string;
  args?: Record<string, unknown>;
}

export interface Part {
  text?: string;
  /** Set on reasoning summaries; they are not part of the answer. */
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  functionCall?: FunctionCall;
  functionResponse?: { id?: string; name: string; response: Record<string, unknown> };
}

export interface Content {
  role: "user" | "model";
  parts: Part[];
}

export interface UsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  /** Thinking tokens, billed as output but not included in candidatesTokenCount. */
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
}

export interface Candidate {
  content?: { role?: string; parts?: Part[] };
  finishReason?: string;
  index?: number;
}

export interface GenerateContentResponse {
  candidates?: Candidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: UsageMetadata;
  modelVersion?: string;
  responseId?: string;
}

export interface GeminiErrorBody {
  error: { code?: number; message?: string; status?: string };
}

export interface BatchEmbedContentsResponse {
  embeddings: Array<{ values: number[] }>;
}
