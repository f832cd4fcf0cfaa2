/**
 * @module
 * The chat pipeline behind POST /v1/chat/completions, /v1/messages and /v1/responses: auth → body
 * → model/class policy → route → attempts with fallback → answer (JSON or SSE piped through) → one
 * usage event, on every path including refusals. The ingress (src/ingress) maps the wire format
 * in and out; every guardrail runs here, once, whichever ingress a request came through.
 */
import { costNusd } from "../config/money";
import { GatewayError, forbidden } from "../errors/openai";
import { openAiChatIngress } from "../ingress/openai-chat";
import { wireStream } from "../ingress/stream";
import type { ChatIngress } from "../ingress/types";
import { attemptChat, noAdapter, type ChatAttempt } from "../providers/execute";
import { adapterFor } from "../providers/registry";
import { dispatch, isDrill, requestHedges, type DispatchLimits } from "../routing/dispatch";
import { eitherSignal, hedgeLoserCharge } from "../routing/hedge";
import { chatNeeds } from "../routing/needs";
import { noTargetMessage, type PlannedTarget } from "../routing/plan";
import type { UsageEvent } from "../usage/event";
import type { Price } from "../config/schemas";
import { estimateTokens } from "../usage/tokens";
import { addDetail, blankUsage, prepare, requestMeta, type GatewayDeps, type RequestMeta } from "./context";
import type { ChatCompletion, ChatCompletionRequest } from "./schemas";
import type { CompiledDlpPolicy } from "../dlp";
import { upstreamFailure } from "./upstream-error";
import type { Reservation } from "../guardrails/client";
import { reserveChat } from "../guardrails/stage";
import { dlpDetail, redactCompletion } from "../guardrails/dlp-request";
import { streamDlp, type StreamDlp } from "../guardrails/dlp-stream";
import { cachedChatResponse, lookupChatCache, recordHit, scanHit } from "../cache/stage";
import { completionToSse, streamedCompletion } from "../cache/replay";
import { emitRequest } from "../logging/emit";
import { effectiveDataClass } from "./policy";
import { startTrace, tracedAttempt } from "../telemetry/trace-context";
import { otlpEnabled } from "../telemetry/export";
import { impliedClass } from "../governance/runtime";
import { attachStreamOutcome } from "./stream-outcome";

/** Converts anything thrown into the envelope; unknown errors become a 500 without details. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  console.error("unexpected error", { error: err instanceof Error ? err.message : String(err) });
  return new GatewayError(500, "api_error", "internal_error", "The gateway hit an unexpected error. The request id identifies it in the logs.");
}

/**
 * `x-request-id` is the gateway's id (what support looks a request up by: unique, unlike the
 * client's); the client's own id comes back as `x-client-request-id`.
 */
export function responseHeaders(meta: RequestMeta, extra: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { "x-request-id": meta.requestId, "x-switchyard-region": meta.region, ...extra };
  if (meta.clientRequestId) headers["x-client-request-id"] = meta.clientRequestId;
  return headers;
}

/** Prompt and completion tokens of a JSON answer that came without usage (tokenizer estimate). */
async function estimateChatUsage(body: ChatCompletionRequest, completion: { choices: Array<{ message: { content?: string | null } }> }): Promise<[number, number]> {
  return [await estimateTokens(promptText(body)), await estimateTokens(completion.choices.map((c) => c.message.content ?? "").join(""))];
}

/** The 403 of a response that the workload's DLP blocks (fresh or from cache). */
function responseBlocked(types: readonly string[]): GatewayError {
  return forbidden(`Response blocked by data-loss prevention: it contains ${types.join(", ")} (rule: workload.dlp).`, "dlp_blocked_response");
}

function promptText(body: ChatCompletionRequest): string {
  return body.messages.map((m) => (typeof m.content === "string" ? m.content : m.content ? JSON.stringify(m.content) : "")).join("\n");
}

/** A successful attempt; a streamed one carries the response DLP that rewrites its chunks. */
type ChatSuccess = Extract<ChatAttempt, { kind: "json" }> | (Extract<ChatAttempt, { kind: "stream" }> & { dlp: StreamDlp });

interface ChatAttemptInput {
  target: PlannedTarget;
  body: ChatCompletionRequest;
  deps: GatewayDeps;
  /** The client's signal: it going away aborts the attempt. */
  signal: AbortSignal;
  dlpPolicy: CompiledDlpPolicy;
  /** Attempt timeout, TTFB deadline and idle gap from dispatch; its signal aborts a lost hedge. */
  limits: DispatchLimits;
  drill: boolean;
  /** This attempt's W3C traceparent, when the request is traced. */
  traceparent?: string;
}

type ChatAttemptResult = { ok: true; value: ChatSuccess } | Extract<ChatAttempt, { ok: false }>;

async function runChatAttempt(input: ChatAttemptInput): Promise<ChatAttemptResult> {
  const { target, body, limits } = input;
  const adapter = adapterFor(target.provider.type);
  if (!adapter) {
    return { ok: false, failure: noAdapter(target.provider.type) };
  }
  const stream = body.stream === true;
  // Response DLP on a stream runs inside the executor's single pass over it, as a chunk hook.
  // One per attempt, so a fallback never inherits scanner state; none for a JSON answer, which
  // redactCompletion scans whole.
  const dlp = stream ? streamDlp(input.dlpPolicy) : undefined;
  const call = { request: body, model: target.target.model, provider: target.provider, stream };
  const attempt = await attemptChat(adapter, call, {
    timeoutMs: limits.timeoutMs,
    ttfbTimeoutMs: limits.ttfbTimeoutMs,
    idleTimeoutMs: limits.idleTimeoutMs,
    ai: input.deps.env.AI,
    signal: eitherSignal(input.signal, limits.signal),
    drill: input.drill,
    chunkHook: dlp?.hook,
    traceparent: input.traceparent,
  });
  if (!attempt.ok) return attempt;
  if (attempt.kind === "json") return { ok: true, value: attempt };
  // attemptChat streams only for a streamed call, which got its hook above.
  if (!dlp) throw new Error("stream answer to a call that did not ask for one");
  return { ok: true, value: { ...attempt, dlp } };
}

/**
 * Adds what an aborted hedge attempt may have cost to the request's cost: its prompt (a provider
 * bills the input of a call it started), counted as the winner's prompt tokens. Its output is
 * unknown and was never delivered; the abort came before its first byte.
 */
function chargeHedgeLoser(usage: UsageEvent, loser: PlannedTarget | undefined, price: Price): { tokens: number } {
  if (!loser) return { tokens: 0 };
  const charge = hedgeLoserCharge(usage.tokens_in, loser.target.price ?? price);
  usage.cost_nusd += charge.costNusd;
  addDetail(usage, { hedge: { aborted: loser.provider.id, tokens_in: charge.tokens, cost_nusd: charge.costNusd } });
  return charge;
}

/** A streamed answer that lost a hedge race after it was decided: cancel it unread. */
const discardChat = (v: ChatSuccess) => void (v.kind === "stream" && v.body.cancel("hedge lost").catch(() => {}));

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" };

/** A finished completion in the ingress's wire format. */
function jsonAnswer(ingress: ChatIngress, completion: ChatCompletion, body: ChatCompletionRequest, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(ingress.json(completion, body)), { headers: { ...headers, "content-type": "application/json" } });
}

/** The pipeline's OpenAI SSE body in the ingress's wire format (passed through when they are the same). */
function streamAnswer(ingress: ChatIngress, sse: ReadableStream<Uint8Array>, body: ChatCompletionRequest, headers: Record<string, string>): Response {
  return new Response(ingress.stream ? wireStream(sse, ingress.stream(body)) : sse, { headers: { ...headers, ...SSE_HEADERS } });
}

/** A cache hit, replayed as JSON or as a stream, in the ingress's wire format. */
function cachedAnswer(ingress: ChatIngress, completion: ChatCompletion, body: ChatCompletionRequest, headers: Record<string, string>): Response {
  if (!ingress.stream) return cachedChatResponse(completion, body, headers);
  if (!body.stream) return jsonAnswer(ingress, completion, body, headers);
  const replay = new Response(completionToSse(completion, body.stream_options?.include_usage === true)).body!;
  return streamAnswer(ingress, replay, body, headers);
}

/**
 * Runs one chat request through the pipeline; `ingress` is the wire format it came in (and
 * answers) in, OpenAI chat completions by default.
 * @example app.post("/v1/chat/completions", (c) => handleChat(c.req.raw, { env: c.env, ctx: c.executionCtx }))
 * @example app.post("/v1/messages", (c) => handleChat(c.req.raw, deps(c), anthropicMessagesIngress))
 */
export async function handleChat(request: Request, deps: GatewayDeps, ingress: ChatIngress = openAiChatIngress): Promise<Response> {
  const meta = requestMeta(request, deps.env);
  const usage = blankUsage(meta);
  if (ingress !== openAiChatIngress) addDetail(usage, { ingress: ingress.name });
  // Ids and attempt timings for OpenTelemetry, exported later by the usage consumer (src/telemetry).
  const trace = startTrace(request.headers.get("traceparent"), otlpEnabled(deps.env));
  if (trace) addDetail(usage, { trace });
  const finish = (u: UsageEvent) => ((u.latency_ms = Date.now() - meta.startedAt), u);
  let guard: Reservation | undefined;
  try {
    const p = await prepare(request, deps, usage, ingress.request, "chat");
    // Cache before the budget: a hit costs nothing, reserves nothing and reaches no provider.
    const cache = await lookupChatCache(deps, p, request.headers.get("x-cache"), meta.requestId);
    usage.cache = cache.status;
    if (cache.hit) {
      // A hit gets the requesting workload's response DLP, exactly as a fresh answer does.
      const scanned = scanHit(p.caller.workload.dlpPolicy, p.dataClass, cache.hit);
      recordHit(usage, cache.hit, p.model.price);
      usage.data_class = scanned.dataClass;
      addDetail(usage, dlpDetail("response", scanned.outcome));
      if (scanned.outcome.blocked.length) throw responseBlocked(scanned.outcome.blocked);
      emitRequest(deps, { usage: finish(usage), bodies: { request: p.body, response: scanned.completion } });
      return cachedAnswer(ingress, scanned.completion, p.body, responseHeaders(meta, {
        "x-switchyard-provider": cache.hit.provider ?? "cache",
        "x-switchyard-model": cache.hit.model ?? p.model.id,
        "x-switchyard-cache": "hit",
        "x-switchyard-data-class": scanned.dataClass,
      }));
    }
    // Budgets and rpm/tpm: one DO call; refusals throw the 429 before anything costs money. A
    // request that may hedge reserves for two attempts and settles what they used.
    const hedges = requestHedges(p.bundle, p.model, p.caller);
    guard = await reserveChat(deps, p, meta.requestId, hedges ? 2 : 1);
    addDetail(usage, { guard_ms: guard.rttMs });
    // Routing: plan on the isolate's health view, attempts with retries/fallback (src/routing).
    const drill = isDrill(request);
    if (drill) addDetail(usage, { drill: true });
    const { plan, result, route, deadlines } = await dispatch(
      { env: deps.env, ctx: deps.ctx, bundle: p.bundle, model: p.model, caller: p.caller, dataClass: p.dataClass, needs: chatNeeds(p.body), drill, hedge: hedges },
      (target, limits) => tracedAttempt(trace, target, (traceparent) => runChatAttempt({
        target, body: p.body, deps, signal: request.signal, dlpPolicy: p.caller.workload.dlpPolicy, limits, drill: drill !== undefined, traceparent,
      })),
      discardChat,
    );
    usage.route = route;
    addDetail(usage, { ttfb_deadline_ms: deadlines });
    if (!result.ok) {
      const noTarget = noTargetMessage(plan, p.model.id);
      if (result.tried.length) usage.provider = result.tried.at(-1)!.provider;
      addDetail(usage, { tried: result.tried.map((t) => ({ provider: t.provider, kind: t.failure.kind, status: t.failure.status ?? null })) });
      throw upstreamFailure(result, noTarget, plan.residencyZone);
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
      const jsonGuard = guard;
      const settle = (tokensIn: number, tokensOut: number) => {
        usage.tokens_in = tokensIn;
        usage.tokens_out = tokensOut;
        usage.cost_nusd = costNusd(p.model.price, tokensIn, tokensOut);
        const hedgeCost = chargeHedgeLoser(usage, result.hedgeLoser, p.model.price);
        jsonGuard.settle(usage.cost_nusd, tokensIn + tokensOut + hedgeCost.tokens);
        return usage;
      };
      const u = value.completion.usage;
      // Without upstream usage the tokenizer estimates it after the answer has gone (waitUntil,
      // through the emitted message), never on the response's path; the budget settles then.
      const accounted = u
        ? settle(u.prompt_tokens, u.completion_tokens)
        : ((usage.estimated = true), estimateChatUsage(p.body, value.completion).then(([i, o]) => settle(i, o)));
      if (scanned.outcome.blocked.length) {
        // The provider was paid for the blocked answer: account it before the refusal's event.
        await accounted;
        throw responseBlocked(scanned.outcome.blocked);
      }
      cache.store(scanned.completion, finalClass, target.provider.id, target.target.model);
      finish(usage);
      const bodies = { request: p.body, response: scanned.completion };
      emitRequest(deps, accounted instanceof Promise ? accounted.then((done) => ({ usage: done, bodies })) : { usage, bodies });
      return jsonAnswer(ingress, scanned.completion, p.body, { ...headers, "x-switchyard-data-class": finalClass });
    }
    const streamGuard = guard;
    const hedgeLoser = result.hedgeLoser;
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
      const hedgeCost = chargeHedgeLoser(usage, hedgeLoser, p.model.price);
      streamGuard.settle(usage.cost_nusd, usage.tokens_in + usage.tokens_out + hedgeCost.tokens);
      const seen = s.clientClosed ? dlpStream.snapshot() : await dlpStream.done;
      const finalClass = effectiveDataClass(p.dataClass, seen.outcome.raiseTo, impliedClass(p.bundle.governance, seen.outcome.types));
      usage.data_class = finalClass;
      addDetail(usage, dlpDetail("response", seen.outcome));
      if (!s.error && !s.clientClosed && s.finishReason !== "tool_calls" && (p.body.n ?? 1) === 1) {
        cache.store(streamedCompletion(target.target.model, seen.text, s.finishReason, s.usage, Date.now()), finalClass, target.provider.id, target.target.model);
      }
      return { usage: finish(usage), response: { content: seen.text, finish_reason: s.finishReason }, dataClass: finalClass, incomplete: Boolean(s.error || s.clientClosed) };
    });
    emitRequest(deps, finished.then((f) => ({ usage: f.usage, bodies: { request: p.body, response: f.response } })));
    // Post-response hooks (stream sampling) read the assembled answer from here, never the stream.
    return attachStreamOutcome(streamAnswer(ingress, value.body, p.body, headers), finished.then((f) => ({
      content: f.response.content, finishReason: f.response.finish_reason, dataClass: f.dataClass, incomplete: f.incomplete,
    })));
  } catch (err) {
    const gatewayError = toGatewayError(err);
    guard?.release();
    usage.status = gatewayError.status;
    usage.error_code = gatewayError.code;
    // Failures and refusals are logged as metadata only: an error must not carry content into a store.
    emitRequest(deps, { usage: finish(usage) });
    return ingress.error(gatewayError, responseHeaders(meta, {}));
  }
}
