/**
 * @module
 * POST /v1/chat/completions: auth → body → model/class policy → route → attempts with fallback
 * → answer (JSON or SSE piped through) → one usage event, on every path including refusals.
 */
import { costNusd } from "../config/money";
import { GatewayError, errorResponse } from "../errors/openai";
import { attemptChat, type ChatAttempt } from "../providers/execute";
import { adapterFor } from "../providers/registry";
import { runWithFallback } from "../routing/fallback";
import { planRoute, type PlannedTarget } from "../routing/plan";
import { emitUsage } from "../usage/emit";
import type { UsageEvent } from "../usage/event";
import { estimateTokens } from "../usage/tokens";
import { blankUsage, prepare, requestIdFrom, type GatewayDeps, type RequestMeta } from "./context";
import { ChatCompletionRequest } from "./schemas";
import { upstreamFailure } from "./upstream-error";

const DEFAULT_ATTEMPT_TIMEOUT_MS = 30_000;

/** Converts anything thrown into the envelope; unknown errors become a 500 without details. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  console.error("unexpected error", { error: err instanceof Error ? err.message : String(err) });
  return new GatewayError(500, "api_error", "internal_error", "The gateway hit an unexpected error. The request id identifies it in the logs.");
}

export function responseHeaders(meta: RequestMeta, extra: Record<string, string>): Record<string, string> {
  return { "x-request-id": meta.requestId, "x-switchyard-region": meta.region, ...extra };
}

function promptText(body: ChatCompletionRequest): string {
  return body.messages.map((m) => (typeof m.content === "string" ? m.content : m.content ? JSON.stringify(m.content) : "")).join("\n");
}

async function runChatAttempt(target: PlannedTarget, body: ChatCompletionRequest, deps: GatewayDeps, signal: AbortSignal): Promise<{ ok: true; value: Extract<ChatAttempt, { ok: true }> } | Extract<ChatAttempt, { ok: false }>> {
  const adapter = adapterFor(target.provider.type);
  if (!adapter) {
    return { ok: false, failure: { kind: "unsupported", retryable: true, error: { message: `no adapter for provider type ${target.provider.type}`, type: "api_error", code: "no_adapter" } } };
  }
  const attempt = await attemptChat(
    adapter,
    { request: body, model: target.target.model, provider: target.provider, stream: body.stream === true },
    { timeoutMs: target.target.timeout_ms ?? DEFAULT_ATTEMPT_TIMEOUT_MS, ai: deps.env.AI, signal },
  );
  return attempt.ok ? { ok: true, value: attempt } : attempt;
}

/**
 * @example app.post("/v1/chat/completions", (c) => handleChat(c.req.raw, { env: c.env, ctx: c.executionCtx }))
 */
export async function handleChat(request: Request, deps: GatewayDeps): Promise<Response> {
  const meta: RequestMeta = { requestId: requestIdFrom(request.headers.get("x-request-id")), startedAt: Date.now(), region: deps.env.REGION };
  const usage = blankUsage(meta);
  const finish = (u: UsageEvent) => ((u.latency_ms = Date.now() - meta.startedAt), u);
  try {
    const p = await prepare(request, deps, usage, ChatCompletionRequest, "chat");
    const plan = planRoute(p.bundle, p.model, p.caller.team, p.dataClass);
    usage.route = plan.reason;
    const result = await runWithFallback(plan.targets, (t) => runChatAttempt(t, p.body, deps, request.signal));
    if (!result.ok) {
      const noTarget = plan.excluded.length ? `No provider is available for model '${p.model.id}': ${plan.excluded.map((e) => `${e.provider} ${e.why}`).join("; ")}.` : undefined;
      if (result.tried.length) usage.provider = result.tried.at(-1)!.provider;
      usage.detail = { ...usage.detail, tried: result.tried.map((t) => ({ provider: t.provider, kind: t.failure.kind, status: t.failure.status ?? null })) };
      throw upstreamFailure(result, noTarget);
    }
    const { target, value } = result;
    usage.provider = target.provider.id;
    usage.ttfb_ms = value.ttfbMs;
    usage.status = 200;
    if (result.tried.length) usage.detail = { ...usage.detail, fallbacks: result.tried.map((t) => t.provider) };
    const headers = responseHeaders(meta, {
      "x-switchyard-provider": target.provider.id,
      "x-switchyard-model": target.target.model,
      "x-switchyard-cache": "off",
      "x-switchyard-data-class": p.dataClass,
      "x-switchyard-route": plan.reason,
    });
    if (value.kind === "json") {
      const u = value.completion.usage;
      if (u) {
        usage.tokens_in = u.prompt_tokens;
        usage.tokens_out = u.completion_tokens;
      } else {
        usage.estimated = true;
        usage.tokens_in = await estimateTokens(promptText(p.body));
        usage.tokens_out = await estimateTokens(value.completion.choices.map((c) => c.message.content ?? "").join(""));
      }
      usage.cost_nusd = costNusd(p.model.price, usage.tokens_in, usage.tokens_out);
      emitUsage(deps.env.USAGE_EVENTS, deps.ctx, finish(usage));
      return new Response(JSON.stringify(value.completion), { headers: { ...headers, "content-type": "application/json" } });
    }
    emitUsage(
      deps.env.USAGE_EVENTS,
      deps.ctx,
      value.summary.then(async (s) => {
        if (s.usage) {
          usage.tokens_in = s.usage.prompt_tokens;
          usage.tokens_out = s.usage.completion_tokens;
        } else {
          usage.estimated = true;
          usage.tokens_in = await estimateTokens(promptText(p.body));
          usage.tokens_out = await estimateTokens(s.text);
        }
        if (s.error) usage.error_code = s.error.code ?? "stream_interrupted";
        if (s.clientClosed) usage.error_code = "client_closed";
        usage.cost_nusd = costNusd(p.model.price, usage.tokens_in, usage.tokens_out);
        return finish(usage);
      }),
    );
    return new Response(value.body, {
      headers: { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
    });
  } catch (err) {
    const gatewayError = toGatewayError(err);
    usage.status = gatewayError.status;
    usage.error_code = gatewayError.code;
    emitUsage(deps.env.USAGE_EVENTS, deps.ctx, finish(usage));
    return errorResponse(gatewayError, responseHeaders(meta, {}));
  }
}
