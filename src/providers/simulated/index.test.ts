import { describe, expect, it } from "vitest";
import type { Faults } from "../../config/schemas";
import type { ChatCompletion, EmbeddingsResponse } from "../../gateway/schemas";
import { attemptChat, attemptEmbeddings } from "../execute";
import { chatCall, embeddingsCall, readText, runtime } from "../testing";
import type { ChatCall, TransportContext } from "../types";
import adapter from "./index";
import { simulatedEmbedding, simulatedReply } from "./generate";

const sim = (faults: Faults = { mode: "none" }) => runtime({ type: "simulated", id: "sim-1", faults });
const call = (request: Partial<ChatCall["request"]>, faults?: Faults): ChatCall =>
  chatCall(request, { provider: sim(faults), model: "sim-model", stream: request.stream === true });

async function complete(request: Partial<ChatCall["request"]>): Promise<ChatCompletion> {
  const a = await attemptChat(adapter, call(request), { timeoutMs: 1000 });
  if (!a.ok || a.kind !== "json") throw new Error("expected a JSON completion");
  return a.completion;
}

/** Calls the transport directly and reports whether it settled before `signal` aborted. */
function transportWith(faults: Faults, controller: AbortController, drill = false) {
  const c = call({}, faults);
  const ctx: TransportContext = { signal: controller.signal, provider: c.provider, drill };
  return adapter.transport!(adapter.chat.request(c), ctx);
}

/** Resolves "pending" if `p` has not settled once other queued work (a 20 ms timer) has run. */
async function stillPending(p: Promise<unknown>): Promise<boolean> {
  const marker = Symbol("pending");
  const settled = await Promise.race([p.then(() => "settled", () => "settled"), new Promise((r) => setTimeout(() => r(marker), 20))]);
  return settled === marker;
}

describe("simulated provider: determinism", () => {
  it("answers the same prompt the same way, and different prompts differently", async () => {
    const a = await complete({ messages: [{ role: "user", content: "hello there" }] });
    const b = await complete({ messages: [{ role: "user", content: "hello there" }] });
    const c = await complete({ messages: [{ role: "user", content: "something else entirely" }] });
    expect(a.choices[0].message.content).toBe(b.choices[0].message.content);
    expect(a.usage).toEqual(b.usage);
    expect(a.choices[0].message.content).not.toBe(c.choices[0].message.content);
    expect(simulatedReply("x", 5)).toEqual(simulatedReply("x", 5));
    expect(simulatedEmbedding("abc", 16)).toEqual(simulatedEmbedding("abc", 16));
  });

  it("honours max_tokens with finish_reason length, and tools when required", async () => {
    const short = await complete({ max_tokens: 3 });
    expect(short.choices[0].message.content?.split(" ")).toHaveLength(3);
    expect(short.choices[0]).toMatchObject({ finish_reason: "length" });
    const tool = await complete({ tools: [{ type: "function", function: { name: "lookup" } }], tool_choice: "required" });
    expect(tool.choices[0]).toMatchObject({ finish_reason: "tool_calls", message: { content: null, tool_calls: [{ type: "function", function: { name: "lookup", arguments: "{}" } }] } });
    const json = await complete({ response_format: { type: "json_object" } });
    expect(JSON.parse(json.choices[0].message.content ?? "")).toHaveProperty("reply");
  });

  it("streams OpenAI chunks with usage only when asked", async () => {
    const a = await attemptChat(adapter, call({ stream: true, stream_options: { include_usage: true } }), { timeoutMs: 1000 });
    expect(a.ok && a.kind).toBe("stream");
    if (a.ok && a.kind === "stream") {
      const text = await readText(a.body);
      expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
      const summary = await a.summary;
      expect(summary.finishReason).toBe("stop");
      expect(summary.usage?.completion_tokens).toBe(12);
      expect(summary.text.split(" ")).toHaveLength(12);
      expect(text).toContain('"choices":[],"usage"');
    }
  });

  it("gives deterministic embeddings of the asked dimensions", async () => {
    const run = () => attemptEmbeddings(adapter, embeddingsCall({ input: ["a cat", "a dog"], dimensions: 8 }, { provider: sim(), model: "sim-embed" }), { timeoutMs: 1000 });
    const [x, y] = await Promise.all([run(), run()]);
    if (!x.ok || !y.ok) throw new Error("expected embeddings");
    const r: EmbeddingsResponse = x.response;
    expect(r.data).toHaveLength(2);
    expect(r.data[0].embedding).toHaveLength(8);
    expect(r.data).toEqual(y.response.data);
  });
});

describe("simulated provider: faults", () => {
  it("answers 503 at error_rate 1, which the executor treats as retryable", async () => {
    const a = await attemptChat(adapter, call({}, { mode: "errors", error_rate: 1 }), { timeoutMs: 1000 });
    expect(!a.ok && a.failure).toMatchObject({ kind: "status", status: 503, retryable: true, error: { code: "simulated_fault", type: "server_error" } });
  });

  it("never errors at error_rate 0", async () => {
    const a = await attemptChat(adapter, call({}, { mode: "errors", error_rate: 0 }), { timeoutMs: 1000 });
    expect(a.ok).toBe(true);
  });

  it("outage: no answer at all until the attempt is aborted", async () => {
    const controller = new AbortController();
    const pending = transportWith({ mode: "outage" }, controller);
    expect(await stillPending(pending)).toBe(true);
    controller.abort(new Error("attempt timed out"));
    await expect(pending).rejects.toThrow("attempt timed out");
  });

  it("outage: the executor reports it as a timeout", async () => {
    const a = await attemptChat(adapter, call({}, { mode: "outage" }), { timeoutMs: 25 });
    expect(!a.ok && a.failure).toMatchObject({ kind: "timeout", retryable: true, error: { code: "upstream_timeout" } });
  });

  it("latency: delays the first byte, and the delay ends early on abort", async () => {
    const controller = new AbortController();
    const slow = transportWith({ mode: "latency", latency_ms: 60_000 }, controller);
    expect(await stillPending(slow)).toBe(true);
    controller.abort(new Error("client closed"));
    await expect(slow).rejects.toThrow("client closed");
    const quick = await transportWith({ mode: "latency", latency_ms: 1 }, new AbortController());
    expect(quick.status).toBe(200);
  });

  it("drill_only faults touch drill traffic alone", async () => {
    const faults: Faults = { mode: "errors", error_rate: 1, drill_only: true };
    expect((await attemptChat(adapter, call({}, faults), { timeoutMs: 1000 })).ok).toBe(true);
    const drill = await attemptChat(adapter, call({}, faults), { timeoutMs: 1000, drill: true });
    expect(!drill.ok && drill.failure.status).toBe(503);
  });
});

describe("simulated provider: answer length and pace", () => {
  const paced = (options: Record<string, string>, request: Partial<ChatCall["request"]>): ChatCall =>
    chatCall(request, { provider: runtime({ type: "simulated", id: "sim-pace", options }), model: "sim-model", stream: request.stream === true });
  const contentDeltas = (sse: string) =>
    sse.split("\n\n").filter((f) => f.startsWith("data: {")).map((f) => JSON.parse(f.slice(6))).filter((c) => c.choices[0]?.delta?.content);

  it("writes reply_tokens tokens, cut at max_completion_tokens or max_tokens with finish_reason length", async () => {
    const run = async (request: Partial<ChatCall["request"]>) => {
      const a = await attemptChat(adapter, paced({ reply_tokens: "40" }, request), { timeoutMs: 1000 });
      if (!a.ok || a.kind !== "json") throw new Error("expected a JSON completion");
      return a.completion;
    };
    const full = await run({});
    expect(full.choices[0].message.content?.split(" ")).toHaveLength(40);
    expect(full.choices[0].finish_reason).toBe("stop");
    expect(full.usage?.completion_tokens).toBe(40);
    const cut = await run({ max_completion_tokens: 25, max_tokens: 30 });
    expect(cut.choices[0].message.content?.split(" ")).toHaveLength(25);
    expect(cut.choices[0].finish_reason).toBe("length");
    expect((await run({ max_tokens: 30 })).usage?.completion_tokens).toBe(30);
    // Not a cut: a limit at or above the answer's length leaves it whole.
    expect((await run({ max_tokens: 40 })).choices[0].finish_reason).toBe("stop");
  });

  it("streams one content delta per token, cut at max_tokens", async () => {
    const a = await attemptChat(adapter, paced({ reply_tokens: "50" }, { stream: true, max_tokens: 33 }), { timeoutMs: 1000 });
    if (!a.ok || a.kind !== "stream") throw new Error("expected a stream");
    expect(contentDeltas(await readText(a.body))).toHaveLength(33);
    expect((await a.summary).finishReason).toBe("length");
  });

  it("at tokens_per_second, sends the first token at once and holds the next until its time", async () => {
    const a = await attemptChat(adapter, paced({ reply_tokens: "5", tokens_per_second: "1" }, { stream: true }), { timeoutMs: 10_000 });
    if (!a.ok || a.kind !== "stream") throw new Error("expected a stream");
    const reader = a.body.getReader();
    let seen = "";
    while (contentDeltas(seen).length === 0) seen += new TextDecoder().decode((await reader.read()).value);
    expect(contentDeltas(seen)).toHaveLength(1);
    // At one token a second the second token is not due yet.
    expect(await stillPending(reader.read())).toBe(true);
    await reader.cancel();
  });

  it("ignores malformed pace options", async () => {
    const a = await attemptChat(adapter, paced({ reply_tokens: "lots", tokens_per_second: "-3" }, {}), { timeoutMs: 1000 });
    if (!a.ok || a.kind !== "json") throw new Error("expected a JSON completion");
    expect(a.completion.usage?.completion_tokens).toBe(12);
  });
});
