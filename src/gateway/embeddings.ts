/**
 * @module
 * POST /v1/embeddings, and GET /v1/models. Embeddings honour `encoding_format: "base64"` (the
 * official SDKs ask for it by default): float32 little-endian bytes, base64-encoded.
 */
import { costNusd } from "../config/money";
import { errorResponse } from "../errors/openai";
import { attemptEmbeddings, noAdapter } from "../providers/execute";
import { adapterFor } from "../providers/registry";
import { dispatch, isDrill } from "../routing/dispatch";
import { eitherSignal } from "../routing/hedge";
import { embeddingsNeeds } from "../routing/needs";
import { noTargetMessage } from "../routing/plan";
import { toGatewayError, responseHeaders } from "./chat";
import { addDetail, authenticate, blankUsage, prepare, requestMeta, type GatewayDeps } from "./context";
import { visibleModels } from "./policy";
import { EmbeddingsRequest, type EmbeddingsResponse } from "./schemas";
import { upstreamFailure } from "./upstream-error";
import type { Reservation } from "../guardrails/client";
import { reserveEmbeddings } from "../guardrails/stage";
import { emitRequest } from "../logging/emit";
import { estimateEmbeddingTokens } from "../usage/tokens";

/** @example floatsToBase64([1, 0]) === "AACAPwAAAAA=" */
export function floatsToBase64(values: number[]): string {
  const bytes = new Uint8Array(new Float32Array(values).buffer);
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return btoa(s);
}

export async function handleEmbeddings(request: Request, deps: GatewayDeps): Promise<Response> {
  const meta = requestMeta(request, deps.env);
  const usage = blankUsage(meta);
  let guard: Reservation | undefined;
  try {
    const p = await prepare(request, deps, usage, EmbeddingsRequest, "embeddings");
    guard = await reserveEmbeddings(deps, p, meta.requestId);
    addDetail(usage, { guard_ms: guard.rttMs });
    const drill = isDrill(request);
    const input = { env: deps.env, ctx: deps.ctx, bundle: p.bundle, model: p.model, caller: p.caller, dataClass: p.dataClass, needs: embeddingsNeeds(p.body), drill };
    const { plan, result, route, deadlines } = await dispatch(input, async (t, limits) => {
      const adapter = adapterFor(t.provider.type);
      if (!adapter) return { ok: false as const, failure: noAdapter(t.provider.type) };
      const a = await attemptEmbeddings(adapter, { request: p.body, model: t.target.model, provider: t.provider }, {
        timeoutMs: limits.timeoutMs,
        ttfbTimeoutMs: limits.ttfbTimeoutMs,
        ai: deps.env.AI,
        signal: eitherSignal(request.signal, limits.signal),
        drill: drill !== undefined,
      });
      return a.ok ? { ok: true as const, value: a } : a;
    });
    usage.route = route;
    addDetail(usage, { ttfb_deadline_ms: deadlines });
    if (!result.ok) throw upstreamFailure(result, noTargetMessage(plan, p.model.id), plan.residencyZone);
    const { target, value } = result;
    const response: EmbeddingsResponse | (Omit<EmbeddingsResponse, "data"> & { data: Array<{ object: "embedding"; index: number; embedding: string }> }) =
      p.body.encoding_format === "base64"
        ? { ...value.response, data: value.response.data.map((d) => ({ ...d, embedding: floatsToBase64(d.embedding) })) }
        : value.response;
    usage.provider = target.provider.id;
    usage.status = 200;
    usage.ttfb_ms = value.ttfbMs;
    const embedGuard = guard;
    const settle = (tokensIn: number) => {
      usage.tokens_in = tokensIn;
      usage.cost_nusd = costNusd(p.model.price, tokensIn, 0);
      embedGuard.settle(usage.cost_nusd, tokensIn);
      return usage;
    };
    const reported = value.response.usage?.prompt_tokens;
    // No upstream usage: estimate the input's tokens (marked estimated, as chat does) after the
    // answer has gone, instead of charging nothing.
    const accounted = typeof reported === "number"
      ? settle(reported)
      : ((usage.estimated = true), estimateEmbeddingTokens(p.body.input).then(settle));
    usage.latency_ms = Date.now() - meta.startedAt;
    // Vectors are not worth keeping; the log holds the input and the answer's shape.
    const shape = { model: value.response.model, count: value.response.data.length, usage: value.response.usage };
    const bodies = { request: p.body, response: shape };
    emitRequest(deps, accounted instanceof Promise ? accounted.then((done) => ({ usage: done, bodies })) : { usage, bodies });
    return new Response(JSON.stringify(response), {
      headers: {
        ...responseHeaders(meta, {
          "x-switchyard-provider": target.provider.id,
          "x-switchyard-model": target.target.model,
          "x-switchyard-cache": "off",
          "x-switchyard-data-class": p.dataClass,
          "x-switchyard-route": route,
          ...guard.headers,
        }),
        "content-type": "application/json",
      },
    });
  } catch (err) {
    const e = toGatewayError(err);
    guard?.release();
    usage.status = e.status;
    usage.error_code = e.code;
    usage.latency_ms = Date.now() - meta.startedAt;
    emitRequest(deps, { usage });
    return errorResponse(e, responseHeaders(meta, {}));
  }
}

export async function handleModels(request: Request, deps: GatewayDeps): Promise<Response> {
  const meta = requestMeta(request, deps.env);
  try {
    const { bundle, caller } = await authenticate(request, deps);
    const data = visibleModels(bundle, caller).map((m) => ({ id: m.id, object: "model", created: 0, owned_by: "switchyard", kind: m.kind, data_classes: m.data_classes }));
    return Response.json({ object: "list", data }, { headers: responseHeaders(meta, {}) });
  } catch (err) {
    return errorResponse(toGatewayError(err), responseHeaders(meta, {}));
  }
}
