/**
 * @module
 * POST /v1/messages/count_tokens: what a Messages request would cost in input tokens, counted by
 * the gateway's tokenizer over the mapped chat request (system, turns, tool definitions). The
 * request passes the same auth, body, DLP and model checks as a real call, so a key learns
 * nothing here it could not learn by calling; no provider is called and nothing is billed.
 */
import { anthropicErrorResponse, AnthropicCountTokensRequest } from "../ingress/anthropic-messages";
import { estimateTokens } from "../usage/tokens";
import { toGatewayError, responseHeaders } from "./chat";
import { blankUsage, prepare, requestMeta, type GatewayDeps } from "./context";
import type { ChatCompletionRequest } from "./schemas";

/** The text a tokenizer counts for a chat request: message contents and tool definitions. */
function countedText(body: ChatCompletionRequest): string {
  const turns = body.messages.map((m) => {
    const content = typeof m.content === "string" ? m.content : m.content ? JSON.stringify(m.content) : "";
    return m.tool_calls ? content + JSON.stringify(m.tool_calls) : content;
  });
  return turns.join("\n") + (body.tools ? JSON.stringify(body.tools) : "");
}

/**
 * @example app.post("/v1/messages/count_tokens", (c) => handleCountTokens(c.req.raw, deps(c)))
 */
export async function handleCountTokens(request: Request, deps: GatewayDeps): Promise<Response> {
  const meta = requestMeta(request, deps.env);
  try {
    const p = await prepare(request, deps, blankUsage(meta), AnthropicCountTokensRequest, "chat");
    const inputTokens = await estimateTokens(countedText(p.body));
    return Response.json({ input_tokens: inputTokens }, { headers: responseHeaders(meta, { "x-switchyard-estimated": "true" }) });
  } catch (err) {
    return anthropicErrorResponse(toGatewayError(err), responseHeaders(meta, {}));
  }
}
