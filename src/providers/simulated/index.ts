/**
 * @module
 * The built-in `simulated` provider: OpenAI wire format, answered in-process with deterministic
 * text, token counts, streaming and embeddings, plus the fault switch (outage, errors, latency)
 * that chaos tests and failover drills use. It never touches the network. Provider options
 * `reply_tokens` and `tokens_per_second` set the answer's length and speed (./pace.ts).
 */
import type { ChatCompletionRequest, EmbeddingsRequest } from "../../gateway/schemas";
import { openAiLikeAdapter } from "../openai-compatible";
import type { ProviderAdapter, ProviderRuntime, TransportContext, UpstreamRequest } from "../types";
import { attackReply } from "./attack";
import { simulatedEmbedding, simulatedReply, simulatedTokenCount } from "./generate";
import { pacedStream, paceFrom, type Pace } from "./pace";

/** Resolves when `ms` pass, rejects when the call is aborted first. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}

function promptText(req: ChatCompletionRequest): string {
  return req.messages
    .map((m) => (typeof m.content === "string" ? m.content : Array.isArray(m.content) ? JSON.stringify(m.content) : ""))
    .join("\n");
}

function errorBody(message: string): string {
  return JSON.stringify({ error: { message, type: "server_error", code: "simulated_fault" } });
}

/** Applies the provider's fault switch; returns a Response to answer with instead, or nothing. */
async function applyFaults(provider: ProviderRuntime, ctx: TransportContext): Promise<Response | undefined> {
  const f = provider.faults;
  if (f.mode === "none" || (f.drill_only && !ctx.drill)) return undefined;
  if (f.mode === "outage") {
    // A dead host: no answer at all until the caller's per-attempt timeout aborts us.
    await new Promise<never>((_, reject) => {
      if (ctx.signal.aborted) reject(ctx.signal.reason);
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
    });
  }
  if (f.mode === "errors" && Math.random() < (f.error_rate ?? 1)) {
    return new Response(errorBody("simulated upstream error"), { status: 503, headers: { "content-type": "application/json" } });
  }
  if (f.mode === "latency" && (f.latency_ms ?? 0) > 0) await delay(f.latency_ms ?? 0, ctx.signal);
  return undefined;
}

interface AnswerOptions {
  /** Mimics upstreams that never report usage (the gateway then estimates tokens). */
  omitUsage: boolean;
  pace: Pace;
  signal: AbortSignal;
}

/**
 * The answer: `pace.replyTokens` words, cut at `max_completion_tokens`/`max_tokens` with
 * finish_reason "length", paced at the provider's token rate.
 */
async function chatAnswer(req: ChatCompletionRequest, model: string, { omitUsage, pace, signal }: AnswerOptions): Promise<Response> {
  const prompt = promptText(req);
  const maxTokens = req.max_completion_tokens ?? req.max_tokens ?? pace.replyTokens;
  const words = simulatedReply(prompt, Math.min(pace.replyTokens, maxTokens));
  const promptTokens = simulatedTokenCount(prompt);
  const id = `chatcmpl-sim-${Date.now().toString(36)}`;
  const created = Math.floor(Date.now() / 1000);
  const wantsTool =
    Array.isArray(req.tools) && req.tools.length > 0 && (req.tool_choice === "required" || typeof req.tool_choice === "object");
  const toolCall = wantsTool
    ? { id: `call_${id.slice(-8)}`, type: "function" as const, function: { name: req.tools![0].function.name, arguments: "{}" } }
    : undefined;
  // Under attack the simulated model answers as real models commonly do (./attack.ts).
  const attacked = toolCall ? undefined : attackReply(req.messages);
  if (attacked) words.splice(0, words.length, ...attacked.split(" "));
  const content = toolCall ? null : req.response_format?.type === "json_object" ? JSON.stringify({ reply: words.join(" ") }) : words.join(" ");
  const usage = { prompt_tokens: promptTokens, completion_tokens: words.length, total_tokens: promptTokens + words.length };
  const finish = toolCall ? "tool_calls" : attacked ? "stop" : words.length < pace.replyTokens ? "length" : "stop";

  if (!req.stream) {
    // A JSON answer arrives when its last token would have been written.
    if (pace.tokenIntervalMs > 0) await delay(pace.tokenIntervalMs * words.length, signal);
    return Response.json({
      id,
      object: "chat.completion",
      created,
      model,
      choices: [{ index: 0, message: { role: "assistant", content, ...(toolCall ? { tool_calls: [toolCall] } : {}) }, finish_reason: finish, logprobs: null }],
      ...(omitUsage ? {} : { usage }),
    });
  }
  const enc = new TextEncoder();
  const frame = (o: unknown) => enc.encode(`data: ${JSON.stringify(o)}\n\n`);
  const base = { id, object: "chat.completion.chunk", created, model };
  const frames: Uint8Array[] = [frame({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] })];
  if (toolCall) {
    frames.push(frame({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, ...toolCall }] }, finish_reason: null }] }));
  } else {
    const text = content ?? "";
    const pieces = req.response_format?.type === "json_object" ? [text] : words.map((w, i) => (i === 0 ? w : ` ${w}`));
    for (const p of pieces) frames.push(frame({ ...base, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] }));
  }
  frames.push(frame({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finish }] }));
  if (req.stream_options?.include_usage && !omitUsage) frames.push(frame({ ...base, choices: [], usage }));
  frames.push(enc.encode("data: [DONE]\n\n"));
  // The role chunk and the first token at once, then one frame per token interval.
  const body = pacedStream(frames, 2, pace.tokenIntervalMs);
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

function embeddingsAnswer(req: EmbeddingsRequest, model: string, omitUsage = false): Response {
  const inputs = typeof req.input === "string" ? [req.input] : (req.input as unknown[]).map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
  const dims = req.dimensions ?? 64;
  const data = inputs.map((text, index) => ({ object: "embedding", index, embedding: simulatedEmbedding(text, dims) }));
  const tokens = inputs.reduce((s, t) => s + simulatedTokenCount(t), 0);
  return Response.json({ object: "list", data, model, ...(omitUsage ? {} : { usage: { prompt_tokens: tokens, total_tokens: tokens } }) });
}

/** Passes `n` chunks through, then fails the stream like a reset connection. */
function disconnectAfter(body: ReadableStream<Uint8Array>, n: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent >= n) {
        controller.error(new Error("simulated disconnect"));
        return reader.cancel();
      }
      const { done, value } = await reader.read();
      if (done) return controller.close();
      sent++;
      controller.enqueue(value);
    },
  });
}

const wire = openAiLikeAdapter("simulated", (call, path) => ({ url: `simulated://${call.provider.id}${path}`, headers: {} }));

export const simulatedAdapter: ProviderAdapter = {
  ...wire,
  type: "simulated",
  async transport(req: UpstreamRequest, ctx: TransportContext): Promise<Response> {
    const faulted = await applyFaults(ctx.provider, ctx);
    if (faulted) return faulted;
    const body = JSON.parse(req.body ?? "{}") as Record<string, unknown>;
    const model = String(body.model ?? "simulated");
    if (req.url.endsWith("/embeddings")) return embeddingsAnswer(body as unknown as EmbeddingsRequest, model, ctx.provider.options.omit_usage === "true");
    const options = ctx.provider.options;
    const answer = await chatAnswer(body as unknown as ChatCompletionRequest, model, {
      omitUsage: options.omit_usage === "true",
      pace: paceFrom(options),
      signal: ctx.signal,
    });
    const cut = ctx.provider.faults.disconnect_after_chunks;
    if (cut === undefined || !answer.body || (ctx.provider.faults.drill_only && !ctx.drill)) return answer;
    return new Response(disconnectAfter(answer.body, cut), { status: answer.status, headers: answer.headers });
  },
};

export default simulatedAdapter;

/**
 * What the simulated provider lists as its models (the model-list watcher asks): the `models`
 * option (comma-separated) when set, else the demo names plus a dated pair, so a catalog target
 * on `gpt-4o-mini-2024-07-18` sees the newer `gpt-4o-mini-2026-10-01`.
 */
export const SIMULATED_MODELS: readonly string[] = [
  "sim-1", "sim-large", "sim-small", "sim-embed", "sim-large-eu", "sim-eu-large", "sim-apac-large",
  "gpt-4o-mini", "gpt-4o-mini-2024-07-18", "gpt-4o-mini-2026-10-01",
];

export function simulatedModelList(options: Record<string, string>): string[] {
  const configured = options.models?.split(",").map((m) => m.trim()).filter(Boolean);
  return configured?.length ? configured : [...SIMULATED_MODELS];
}
