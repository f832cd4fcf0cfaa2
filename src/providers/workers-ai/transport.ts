/**
 * @module
 * Calls the Workers AI binding (`env.AI.run`) and answers with a Response shaped like Workers
 * AI's REST API, so the shared executor treats the binding like any HTTP upstream: JSON for
 * results, an SSE body for streams, and `{"success":false,"errors":[{"code","message"}]}` with
 * the documented HTTP status for failures.
 */
import type { TransportContext, UpstreamRequest } from "../types";

/** The one binding method used, typed for arbitrary model names (the generated types list fixed ones). */
interface AiRunner {
  run(model: string, inputs: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<unknown>;
}

/** Our pseudo-URLs: `workers-ai://chat/<model>` and `workers-ai://embeddings/<model>`. */
export const WORKERS_AI_SCHEME = "workers-ai://";

/**
 * Workers AI internal error code → HTTP status, from Cloudflare's Workers AI error reference.
 * The binding throws errors whose message starts with the code; the status decides retrying.
 */
export const ERROR_STATUS: Readonly<Record<number, number>> = {
  5007: 400, // no such model
  5004: 400, // invalid data
  3003: 400, // incomplete request
  3039: 400,
  5018: 403,
  5016: 403, // model terms not accepted
  3023: 403, // account blocked
  3041: 403,
  5019: 405,
  5005: 405,
  3042: 404, // invalid model id
  3006: 413, // request too large
  3007: 408, // timeout
  3008: 408, // aborted
  3036: 429, // account limited (daily free allocation used)
  3040: 429, // out of capacity
};

export function errorResponse(status: number, code: number | string, message: string): Response {
  return Response.json({ success: false, errors: [{ code, message }], result: null }, { status });
}

/** Maps an error thrown by the binding to the Response the REST API would have given. */
export function thrownToResponse(err: unknown): Response {
  const message = err instanceof Error ? err.message : String(err);
  const code = /\b([35]\d{3})\b/.exec(message)?.[1];
  const status = code ? (ERROR_STATUS[Number(code)] ?? 500) : 500;
  return errorResponse(status, code ? Number(code) : "inference_error", message);
}

/** Rejects when the signal aborts, so a hung binding call still ends at the attempt timeout. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/**
 * Runs one request through `ctx.ai`. Without the binding (local runs, regions without an
 * account) it answers 503, which the executor maps to a retryable upstream failure.
 */
export async function runBinding(req: UpstreamRequest, ctx: TransportContext): Promise<Response> {
  if (!ctx.ai) {
    return errorResponse(503, "ai_binding_missing", "Workers AI is not available here: the AI binding is not configured for this deployment");
  }
  const path = req.url.slice(WORKERS_AI_SCHEME.length);
  const slash = path.indexOf("/");
  const model = decodeURIComponent(path.slice(slash + 1));
  const inputs = JSON.parse(req.body ?? "{}") as Record<string, unknown>;
  const ai = ctx.ai as unknown as AiRunner;
  let result: unknown;
  try {
    result = await Promise.race([ai.run(model, inputs, { signal: ctx.signal }), aborted(ctx.signal)]);
  } catch (err) {
    // Aborts are the executor's timeout or a gone client: rethrow so it reports them as such.
    if (ctx.signal.aborted) throw ctx.signal.reason;
    return thrownToResponse(err);
  }
  if (result instanceof ReadableStream) {
    return new Response(result as ReadableStream<Uint8Array>, { headers: { "content-type": "text/event-stream" } });
  }
  return Response.json(result ?? {});
}
