/**
 * @module
 * `POST /v1/messages`: the Anthropic Messages API as an ingress of the one chat pipeline. An
 * Anthropic-shaped request may be served by any provider in the catalog; the answer comes back in
 * Anthropic's shape, with usage and cost accounted exactly as on /v1/chat/completions.
 */
import type { ChatIngress } from "../types";
import { AnthropicChatRequest } from "./request";
import { anthropicErrorResponse, toAnthropicMessage } from "./response";
import { anthropicStreamEncoder } from "./stream";

export { AnthropicMessagesRequest, AnthropicChatRequest, AnthropicCountTokensRequest, toChatRequest } from "./request";
export { anthropicErrorResponse } from "./response";

export const anthropicMessagesIngress: ChatIngress = {
  name: "anthropic.messages",
  request: AnthropicChatRequest,
  json: (completion, request) => toAnthropicMessage(completion, request.model),
  stream: anthropicStreamEncoder,
  error: anthropicErrorResponse,
};
