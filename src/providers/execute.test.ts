import { describe, expect, it } from "vitest";
import { attemptChat, attemptEmbeddings, parseRetryAfter, pipeStream } from "./execute";
import { openAiLikeAdapter } from "./openai-compatible";
import { brokenStream, byteStream, chatCall, embeddingsCall, readText, runStream } from "./testing";
import type { ProviderAdapter, TransportContext, UpstreamRequest } from "./types";

const wire = openAiLikeAdapter("openai-compatible", (_call, path) => ({ url: `test://upstream${path}`, headers: {} }));

/** A small adapter whose transport is the given function: no network anywhere. */
function withTransport(transport: (req: UpstreamRequest, ctx: TransportContext) => Promise<Response>): ProviderAdapter {
  return { ...wire, transport };
}

const never = (_req: UpstreamRequest, ctx: TransportContext) =>
  new Promise<Response>((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true }));

const completion = { id: "c", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }] };
const errorBody = (message: string) => JSON.stringify({ error: { message, type: "server_error", code: null } });

describe("attemptChat", () => {
  it("returns the mapped completion and the time to first byte", async () => {
    let t = 1000;
    const a = await attemptChat(withTransport(async () => { t += 42; return Response.json(completion); }), chatCall({}), { timeoutMs: 1000, now: () => t });
    expect(a).toMatchObject({ ok: true, kind: "json", ttfbMs: 42, completion: { choices: [{ message: { content: "ok" } }] } });
  });

  it("turns a transport that never answers into kind timeout", async () => {
    const a = await attemptChat(withTransport(never), chatCall({}), { timeoutMs: 20 });
    expect(!a.ok && a.failure).toMatchObject({ kind: "timeout", retryable: true, error: { type: "timeout_error", code: "upstream_timeout" } });
  });

  it("reports a client that went away as a connection failure, not a timeout", async () => {
    const client = new AbortController();
    const pending = attemptChat(withTransport(never), chatCall({}), { timeoutMs: 60_000, signal: client.signal });
    client.abort();
    const a = await pending;
    expect(!a.ok && a.failure.kind).toBe("connection");
  });

  it("reports a thrown transport error as a retryable connection failure", async () => {
    const a = await attemptChat(withTransport(async () => { throw new TypeError("fetch failed"); }), chatCall({}), { timeoutMs: 1000 });
    expect(!a.ok && a.failure).toMatchObject({ kind: "connection", retryable: true, error: { code: "upstream_unreachable", message: expect.stringContaining("fetch failed") } });
  });

  it("parses retry-after on a 429 and marks it retryable", async () => {
    const a = await attemptChat(withTransport(async () => new Response(errorBody("slow down"), { status: 429, headers: { "retry-after": "2" } })), chatCall({}), { timeoutMs: 1000 });
    expect(!a.ok && a.failure).toMatchObject({ kind: "status", status: 429, retryable: true, retryAfterMs: 2000, error: { message: "slow down" } });
  });

  it.each([500, 502, 503, 504, 408, 409])("treats %i as retryable", async (status) => {
    const a = await attemptChat(withTransport(async () => new Response(errorBody("x"), { status })), chatCall({}), { timeoutMs: 1000 });
    expect(!a.ok && a.failure).toMatchObject({ kind: "status", status, retryable: true });
  });

  it.each([400, 401, 403, 404, 422])("treats %i as not retryable", async (status) => {
    const a = await attemptChat(withTransport(async () => new Response(errorBody("no"), { status })), chatCall({}), { timeoutMs: 1000 });
    expect(!a.ok && a.failure).toMatchObject({ kind: "status", status, retryable: false, error: { message: "no" } });
  });

  it("reports an unparseable 200 as malformed", async () => {
    const a = await attemptChat(withTransport(async () => new Response("<html>")), chatCall({}), { timeoutMs: 1000 });
    expect(!a.ok && a.failure).toMatchObject({ kind: "malformed", retryable: true });
    const b = await attemptChat(withTransport(async () => Response.json({ nothing: true })), chatCall({}), { timeoutMs: 1000 });
    expect(!b.ok && b.failure.kind).toBe("malformed");
  });

  it("reports a request the adapter cannot build as unsupported", async () => {
    const picky: ProviderAdapter = { ...wire, chat: { ...wire.chat, request: () => { throw new Error("no images here"); } } };
    const a = await attemptChat(picky, chatCall({}), { timeoutMs: 1000 });
    expect(!a.ok && a.failure).toMatchObject({ kind: "unsupported", error: { message: "no images here", code: "unsupported_by_provider" } });
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("1.5")).toBe(1500);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(10_000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("Wed, 21 Oct 2015 07:29:00 GMT"))).toBe(0);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});

describe("streams", () => {
  const frame = (content: string) => `data: ${JSON.stringify({ id: "s", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

  it("hands each upstream event on as it is read", async () => {
    const { body } = pipeStream(wire, chatCall({ stream: true }, { stream: true }), byteStream(frame("a") + frame("b"), { every: 3 }));
    const reader = body.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe(frame("a"));
    await reader.cancel();
  });

  it("turns an upstream that breaks mid-stream into an error event and summary.error", async () => {
    const r = await runStream(wire, chatCall({ stream: true }, { stream: true }), brokenStream(frame("partial")));
    expect(r.content).toBe("partial");
    const last = JSON.parse(r.payloads[r.payloads.length - 1]);
    expect(last.error).toMatchObject({ type: "upstream_error", code: "stream_interrupted", message: expect.stringContaining("connection reset") });
    expect(r.payloads).not.toContain("[DONE]");
    expect(r.summary).toMatchObject({ text: "partial", clientClosed: false, error: { code: "stream_interrupted" } });
  });

  it("reports a client that cancels as clientClosed", async () => {
    const { body, summary } = pipeStream(wire, chatCall({ stream: true }, { stream: true }), byteStream(frame("a") + frame("b"), [5]));
    await body.cancel("gone");
    expect((await summary).clientClosed).toBe(true);
  });

  it("releases a stalled upstream as soon as the client cancels, without waiting for its next event", async () => {
    let upstreamCancelled: unknown;
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(frame("first")));
      },
      // Never sends more on its own: only a cancel ends it.
      cancel(reason) {
        upstreamCancelled = reason ?? "cancelled";
      },
    });
    const { body, summary } = pipeStream(wire, chatCall({ stream: true }, { stream: true }), stalled);
    const reader = body.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(frame("first"));
    await reader.cancel("client went away");
    const s = await summary;
    expect(s).toMatchObject({ clientClosed: true, text: "first" });
    expect(upstreamCancelled).toBeDefined();
  });

  it("returns a stream attempt once headers arrive, even if the body is slow", async () => {
    const a = await attemptChat(withTransport(async () => new Response(byteStream(frame("x"), { every: 2 }), { headers: { "content-type": "text/event-stream" } })), chatCall({ stream: true }, { stream: true }), { timeoutMs: 1000 });
    expect(a.ok && a.kind).toBe("stream");
    if (a.ok && a.kind === "stream") {
      expect(await readText(a.body)).toBe(frame("x") + "data: [DONE]\n\n");
      expect((await a.summary).text).toBe("x");
    }
  });
});

describe("TTFB deadline and idle gap", () => {
  const frame = (content: string) => `data: ${JSON.stringify({ id: "s", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
  /** Sends the given frames, then nothing more until cancelled (a host that stalls). */
  const stalling = (frames: string[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const f of frames) controller.enqueue(new TextEncoder().encode(f));
      },
    });
  const sse = (body: ReadableStream<Uint8Array>) => new Response(body, { headers: { "content-type": "text/event-stream" } });

  it("cuts a host that never answers at the TTFB deadline, as kind ttfb_timeout with the deadline", async () => {
    const a = await attemptChat(withTransport(never), chatCall({}), { timeoutMs: 60_000, ttfbTimeoutMs: 20 });
    expect(!a.ok && a.failure).toMatchObject({ kind: "ttfb_timeout", deadlineMs: 20, retryable: true, error: { code: "upstream_timeout", message: expect.stringContaining("20 ms") } });
  });

  it("reports the attempt timeout, not the TTFB deadline, when that is the shorter one", async () => {
    const a = await attemptChat(withTransport(never), chatCall({}), { timeoutMs: 20, ttfbTimeoutMs: 5_000 });
    expect(!a.ok && a.failure).toMatchObject({ kind: "timeout", deadlineMs: 20 });
  });

  it("does not cut an answer whose first byte came in time", async () => {
    const a = await attemptChat(withTransport(async () => Response.json(completion)), chatCall({}), { timeoutMs: 1000, ttfbTimeoutMs: 20 });
    expect(a.ok && a.kind).toBe("json");
    const e = await attemptEmbeddings(withTransport(async () => Response.json({ object: "list", data: [], model: "m" })), embeddingsCall({}), { timeoutMs: 1000, ttfbTimeoutMs: 20 });
    expect(e.ok).toBe(true);
  });

  it("holds a stream whose headers came but whose first chunk does not to the TTFB deadline, so it can fail over", async () => {
    let cancelled = false;
    const headersOnly = new ReadableStream<Uint8Array>({ cancel: () => void (cancelled = true) });
    const a = await attemptChat(withTransport(async () => sse(headersOnly)), chatCall({ stream: true }, { stream: true }), { timeoutMs: 60_000, ttfbTimeoutMs: 20 });
    expect(!a.ok && a.failure).toMatchObject({ kind: "ttfb_timeout", deadlineMs: 20, retryable: true });
    expect(cancelled).toBe(true);
  });

  it("counts a stream's first chunk in its TTFB and passes that chunk on", async () => {
    let t = 0;
    const a = await attemptChat(withTransport(async () => ((t += 5), sse(byteStream(frame("a") + frame("b"), { every: 4 })))), chatCall({ stream: true }, { stream: true }), { timeoutMs: 1000, ttfbTimeoutMs: 500, now: () => t });
    expect(a.ok && a.kind).toBe("stream");
    if (a.ok && a.kind === "stream") {
      expect(a.ttfbMs).toBe(5);
      expect(await readText(a.body)).toBe(frame("a") + frame("b") + "data: [DONE]\n\n");
    }
  });

  it("ends a started stream that goes quiet with a stream_idle_timeout error event, never [DONE]", async () => {
    const a = await attemptChat(withTransport(async () => sse(stalling([frame("hello")]))), chatCall({ stream: true }, { stream: true }), { timeoutMs: 1000, ttfbTimeoutMs: 500, idleTimeoutMs: 30 });
    expect(a.ok && a.kind).toBe("stream");
    if (!a.ok || a.kind !== "stream") return;
    const text = await readText(a.body);
    expect(text.startsWith(frame("hello"))).toBe(true);
    expect(text).toContain('"code":"stream_idle_timeout"');
    expect(text).not.toContain("[DONE]");
    expect(await a.summary).toMatchObject({ text: "hello", clientClosed: false, error: { code: "stream_idle_timeout", type: "timeout_error" } });
  });

  it("does not count a slow reader as an idle upstream", async () => {
    const { body } = pipeStream(wire, chatCall({ stream: true }, { stream: true }), byteStream(frame("a") + frame("b"), [frame("a").length]), undefined, { idleTimeoutMs: 20 });
    const reader = body.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(frame("a"));
    // The client pauses longer than the idle gap; the upstream had nothing pending to wait for.
    await new Promise((r) => setTimeout(r, 60));
    let rest = "";
    for (let c = await reader.read(); !c.done; c = await reader.read()) rest += new TextDecoder().decode(c.value);
    expect(rest).toBe(frame("b") + "data: [DONE]\n\n");
  });
});

describe("attemptEmbeddings", () => {
  it("reports adapters without embeddings as unsupported", async () => {
    const { embeddings: _drop, ...chatOnly } = wire;
    const a = await attemptEmbeddings(chatOnly, embeddingsCall({}), { timeoutMs: 1000 });
    expect(!a.ok && a.failure).toMatchObject({ kind: "unsupported", retryable: true });
  });

  it("maps statuses and timeouts like chat", async () => {
    const busy = await attemptEmbeddings(withTransport(async () => new Response(errorBody("busy"), { status: 429, headers: { "retry-after": "1" } })), embeddingsCall({}), { timeoutMs: 1000 });
    expect(!busy.ok && busy.failure).toMatchObject({ status: 429, retryable: true, retryAfterMs: 1000 });
    const slow = await attemptEmbeddings(withTransport(never), embeddingsCall({}), { timeoutMs: 20 });
    expect(!slow.ok && slow.failure.kind).toBe("timeout");
  });
});
