/**
 * @module
 * `POST /v1/chat/completions`: the pipeline's own format, so every mapping is the identity and
 * the hot path pays nothing for the ingress abstraction.
 */
import { errorResponse } from "../../errors/openai";
import { ChatCompletionRequest } from "../../gateway/schemas";
import type { ChatIngress } from "../types";

export const openAiChatIngress: ChatIngress = {
  name: "chat.completions",
  request: ChatCompletionRequest,
  json: (completion) => completion,
  error: errorResponse,
};
