/**
 * @module
 * `POST /v1/responses`: the OpenAI Responses API (stateless) as an ingress of the one chat
 * pipeline. Errors keep the OpenAI envelope, which is what the Responses API answers with too.
 */
import { errorResponse } from "../../errors/openai";
import type { ChatIngress } from "../types";
import { ResponsesChatRequest } from "./request";
import { toResponse } from "./response";
import { responsesStreamEncoder } from "./stream";

export { ResponsesRequest, ResponsesChatRequest, toChatRequest } from "./request";

export const openAiResponsesIngress: ChatIngress = {
  name: "openai.responses",
  request: ResponsesChatRequest,
  json: toResponse,
  stream: responsesStreamEncoder,
  error: errorResponse,
};
