/**
 * @module
 * POST /v1/chat/completions: auth → body → model/class policy → route → attempts with fallback
 * → answer (JSON or SSE piped through) → one usage event, on every path including refusals.
 */
import { costNusd } from "../config/money";
import { GatewayError, errorResponse, forbidden } from "../errors/openai";
import { attemptChat, noAdapter, type ChatAttempt } from "../providers/execute";
import { adapterFor } from "../providers/registry";
import { dispatch, isDrill } from "../routing/dispatch";
import { chatNeeds } from "../routing/needs";
import { noTargetMessage, type PlannedTarget } from "../routing/plan";
import type { UsageEvent } from "../usage/event";
import { estimateTokens } from "../usage/tokens";
import { addDetail, blankUsage, prepare, requestMeta, type GatewayDeps, type RequestMeta } from "./context";
import { ChatCompletionRequest } from "./schemas";
import type { CompiledDlpPolicy } from "../dlp";
import { upstreamFailure } from "./upstream-error";
import type { Reservation } from "../guardrails/client";
import { reserveChat } from "../guardrails/stage";
import { dlpDetail, redactCompletion } from "../guardrails/dlp-request";
import { streamDlp, type StreamDlp } from "../guardrails/dlp-stream";
import { cachedChatResponse, lookupChatCache, recordHit } from "../cache/stage";
import { streamedCompletion } from "../cache/replay";
import { emitRequest } from "../logging/emit";
import { effectiveDataClass } from "./policy";
import { impliedClass } from "../governance/runtime";

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

/** A successful attempt; a streamed one carries the response DLP that rewrites its chunks. */
type ChatSuccess = Extract<ChatAttempt, { kind: "json" }> | (Extract<ChatAttempt, { kind: "stream" }> & { dlp: StreamDlp });

async function runChatAttempt(target: PlannedTarget, body: ChatCompletionRequest, deps: GatewayDeps, signal: AbortSignal, dlpPolicy: CompiledDlpPolicy, timeoutMs = target.target.timeout_ms ?? DEFAULT_ATTEMPT_TIMEOUT_MS, drill = false): Promise<{ ok: true; value: ChatSuccess } | Extract<ChatAttempt, { ok: false }>> {
  const adapter = adapterFor(target.provider.type);
  if (!adapter) {
    return { ok: false, failure: noAdapter(target.provider.type) };
  }
  const stream = body.stream === true;
  // Response DLP on a stream runs inside the executor's single pass over it, as a chunk hook.
  // One per attempt, so a fallback never inherits scanner state; none for a JSON answer, which
  // redactCompletion scans whole.
  const dlp = stream ? streamDlp(dlpPolicy) : undefined;
  const attempt = await attemptChat(
    adapter,
    { request: body, model: target.target.model, provider: target.provider, stream },
    { timeoutMs, ai: deps.env.AI, signal, drill, chunkHook: dlp?.hook },
  );
  if (!attempt.ok) return attempt;
  if (attempt.kind === "json") return { ok: true, value: attempt };
  // attemptChat streams only for a streamed call, which got its hook above.
  if (!dlp) throw new Error("stream answer to a call that did not ask for one");
  return { ok: true, value: { ...attempt, dlp } };
}

/**
 * @example app.post("/v1/chat/completions", (c) => handleChat(c.req.raw, { env: c.env, ctx: c.executionCtx }))
 */
export async function handleChat(request: Request, deps: GatewayDeps): Promise<Response> {
  const meta = requestMeta(request, deps.env);
  const usage = blankUsage(meta);
  const finish = (u: UsageEvent) => ((u.latency_ms = Date.now() - meta.startedAt), u);
  let guard: Reservation | undefined;
  try {
    const p = await prepare(request, deps, usage, ChatCompletionRequest, "chat");
    // Cache before the budget: a hit costs nothing, reserves nothing and reaches no provider.
    const cache = await lookupChatCache(deps, p, request.headers.get("x-cache"));
    usage.cache = cache.status;
    if (cache.hit) {
      recordHit(usage, cache.hit, p.model.price);
      emitRequest(deps, { usage: finish(usage), bodies: { request: p.body, response: cache.hit.completion } });
      return cachedChatResponse(cache.hit, p.body, responseHeaders(meta, {
        "x-switchyard-provider": cache.hit.provider ?? "cache",
        "x-switchyard-model": cache.hit.model ?? p.model.id,
        "x-switchyard-cache": "hit",
        "x-switchyard-data-class": effectiveDataClass(p.dataClass, cache.hit.dataClass),
      }));
    }
    // Budgets and rpm/tpm: one DO call; refusals throw the 429 before anything costs money.
    guard = await reserveChat(deps, p, meta.requestId);
    addDetail(usage, { guard_ms: guard.rttMs });
    // Routing: plan on the isolate's health view, attempts with retries/fallback (src/routing).
    const drill = isDrill(request);
    if (drill) addDetail(usage, { drill: true });
    const { plan, result, route } = await dispatch(
      { env: deps.env, ctx: deps.ctx, bundle: p.bundle, model: p.model, caller: p.caller, dataClass: p.dataClass, needs: chatNeeds(p.body), drill },
      (t, limits) => runChatAttempt(t, p.body, deps, request.signal, p.caller.workload.dlpPolicy, limits.timeoutMs, drill !== undefined),
    );
    usage.route = route;
    if (!result.ok) {
      const noTarget = noTargetMessage(plan, p.model.id);
      if (result.tried.length) usage.provider = result.tried.at(-1)!.provider;
      addDetail(usage, { tried: result.tried.map((t) => ({ provider: t.provider, kind: t.failure.kind, status: t.failure.status ?? null })) });
      throw upstreamFailure(result, noTarget);
    }
    const { target, value } = result;
    usage.provider = target.provider.id;
    usage.ttfb_ms = value.ttfbMs;
    usage.status = 200;
    if (result.tried.length) addDetail(usage, { fallbacks: result.tried.map((t) => t.provider) });
    const headers = responseHeaders(meta, {
      "x-switchyard-provider": target.provider.id,
      "x-switchyard-model": target.target.model,
      "x-switchyard-cache": cache.status,
      "x-switchyard-data-class": p.dataClass,
      "x-switchyard-route": route,
      ...guard.headers,
    });
    if (value.kind === "json") {
      // Response DLP: redact before the client (or a log, or the cache) sees it; findings may raise the class.
      const scanned = redactCompletion(p.caller.workload.dlpPolicy, value.completion);
      const finalClass = effectiveDataClass(p.dataClass, scanned.outcome.raiseTo, impliedClass(p.bundle.governance, scanned.outcome.types));
      usage.data_class = finalClass;
      addDetail(usage, dlpDetail("response", scanned.outcome));
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
      guard.settle(usage.cost_nusd, usage.tokens_in + usage.tokens_out);
      if (scanned.outcome.blocked.length) {
        throw forbidden(`Response blocked by data-loss prevention: it contains ${scanned.outcome.blocked.join(", ")} (rule: workload.dlp).`, "dlp_blocked_response");
      }
      cache.store(scanned.completion, finalClass, target.provider.id, target.target.model);
      emitRequest(deps, { usage: finish(usage), bodies: { request: p.body, response: scanned.completion } });
      return new Response(JSON.stringify(scanned.completion), { headers: { ...headers, "x-switchyard-data-class": finalClass, "content-type": "application/json" } });
    }
    const streamGuard = guard;
    // Response DLP on the stream: the attempt's hook rewrote delta.content chunk by chunk.
    const dlpStream = value.dlp;
    const finished = value.summary.then(async (s) => {
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
      streamGuard.settle(usage.cost_nusd, usage.tokens_in + usage.tokens_out);
      const seen = s.clientClosed ? dlpStream.snapshot() : await dlpStream.done;
      const finalClass = effectiveDataClass(p.dataClass, seen.outcome.raiseTo, impliedClass(p.bundle.governance, seen.outcome.types));
      usage.data_class = finalClass;
      addDetail(usage, dlpDetail("response", seen.outcome));
      if (!s.error && !s.clientClosed && s.finishReason !== "tool_calls" && (p.body.n ?? 1) === 1) {
        cache.store(streamedCompletion(target.target.model, seen.text, s.finishReason, s.usage, Date.now()), finalClass, target.provider.id, target.target.model);
      }
      return { usage: finish(usage), response: { content: seen.text, finish_reason: s.finishReason } };
    });
    emitRequest(deps, finished.then((f) => ({ usage: f.usage, bodies: { request: p.body, response: f.response } })));
    return new Response(value.body, {
      headers: { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
    });
  } catch (err) {
    const gatewayError = toGatewayError(err);
    guard?.release();
    usage.status = gatewayError.status;
    usage.error_code = gatewayError.code;
    // Failures and refusals are logged as metadata only: an error must not carry content into a store.
    emitRequest(deps, { usage: finish(usage) });
    return errorResponse(gatewayError, responseHeaders(meta, {}));
  }
}
