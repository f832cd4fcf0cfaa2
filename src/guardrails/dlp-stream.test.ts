/**
 * @module
 * Response DLP on streams, run the way the gateway runs it: as the executor's chunk hook, over
 * real SSE bytes cut at awkward offsets, for an OpenAI-format upstream (chunks forwarded as
 * parsed) and a translated one (chunks built by ChunkWriter).
 */
import { describe, expect, it } from "vitest";
import { compileDlpPolicy } from "../dlp";
import type { ChatCompletionChunk } from "../gateway/schemas";
import anthropicAdapter from "../providers/anthropic";
import { attemptChat, pipeStream } from "../providers/execute";
import { openAiLikeAdapter } from "../providers/openai-compatible";
import { brokenStream, byteStream, chatCall, dataPayloads, readText } from "../providers/testing";
import { streamDlp } from "./dlp-stream";

const wire = openAiLikeAdapter("openai-compatible", (_call, path) => ({ url: `test://upstream${path}`, headers: {} }));
const call = chatCall({ stream: true }, { stream: true });
const base = { id: "c", object: "chat.completion.chunk", created: 1, model: "m" };
const CARD = "4111 1111 1111 1111";
const SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";

const frame = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const delta = (content: string, index = 0) => frame({ ...base, choices: [{ index, delta: { content }, finish_reason: null }] });
const stop = (index = 0) => frame({ ...base, choices: [{ index, delta: {}, finish_reason: "stop" }] });

/** An OpenAI-format upstream sending `pieces` as content deltas, then (optionally) a stop chunk and [DONE]. */
function upstream(pieces: string[], { finish = true } = {}): string {
  return pieces.map((p) => delta(p)).join("") + (finish ? stop() : "") + "data: [DONE]\n\n";
}

function chunksOf(raw: string): ChatCompletionChunk[] {
  return dataPayloads(raw).filter((p) => p.startsWith("{")).map((p) => JSON.parse(p) as ChatCompletionChunk);
}

/** Choice `index`'s content across all chunks, as the client assembles it. */
function contentOf(raw: string, index = 0): string {
  return chunksOf(raw).flatMap((c) => (c.choices ?? []).filter((ch) => ch.index === index).map((ch) => ch.delta.content ?? "")).join("");
}

async function scanned(sse: string | ReadableStream<Uint8Array>, policy = compileDlpPolicy()) {
  const dlp = streamDlp(policy);
  const { body, summary } = pipeStream(wire, call, typeof sse === "string" ? byteStream(sse, { every: 7 }) : sse, dlp.hook);
  const raw = await readText(body);
  return { raw, dlp, done: await dlp.done, summary: await summary };
}

describe("stream DLP as the executor's chunk hook", () => {
  it("redacts a card number split across chunks and keeps the SSE framing", async () => {
    const { raw, done } = await scanned(upstream(["my card is 4111 11", "11 1111 1111 ok", " thanks"]));
    expect(raw).not.toContain("4111");
    expect(raw.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(dataPayloads(raw).filter((p) => p === "[DONE]")).toHaveLength(1);
    expect(contentOf(raw)).toBe("my card is [CREDIT_CARD] ok thanks");
    expect(done.text).toBe("my card is [CREDIT_CARD] ok thanks");
    expect(done.outcome).toEqual({ types: ["CREDIT_CARD"], blocked: [], findings: 1 });
  });

  it("runs on the stream attemptChat returns when given the hook", async () => {
    const transport = async () => new Response(byteStream(upstream([`card ${CARD.slice(0, 7)}`, `${CARD.slice(7)} end`]), { every: 5 }));
    const dlp = streamDlp(compileDlpPolicy());
    const a = await attemptChat({ ...wire, transport }, call, { timeoutMs: 1000, chunkHook: dlp.hook });
    if (!a.ok || a.kind !== "stream") throw new Error("expected a stream attempt");
    const raw = await readText(a.body);
    expect(contentOf(raw)).toBe("card [CREDIT_CARD] end");
    expect((await dlp.done).outcome.types).toEqual(["CREDIT_CARD"]);
    // The transformer's own text is what the upstream said: accounting counts tokens produced.
    expect((await a.summary).text).toBe(`card ${CARD} end`);
  });

  it("flushes held text into the chunk that carries finish_reason", async () => {
    const { raw } = await scanned(upstream(["short answer 4111"]));
    const chunks = chunksOf(raw);
    // The scanner released the words at once and held the digits (they may grow into a card)…
    expect(chunks[0].choices[0].delta.content).toBe("short answer ");
    // …which arrive with the finish, with nothing extra before [DONE].
    expect(chunks[1].choices[0]).toEqual({ index: 0, delta: { content: "4111" }, finish_reason: "stop" });
    expect(chunks).toHaveLength(2);
  });

  it("flushes text still held at the end as one extra chunk before [DONE]", async () => {
    const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };
    const sse = delta("no finish at 4111") + frame({ ...base, choices: [], usage }) + "data: [DONE]\n\n";
    const dlp = streamDlp(compileDlpPolicy());
    const usageCall = chatCall({ stream: true, stream_options: { include_usage: true } }, { stream: true });
    const raw = await readText(pipeStream(wire, usageCall, byteStream(sse, { every: 7 }), dlp.hook).body);
    const payloads = dataPayloads(raw);
    expect(payloads.at(-1)).toBe("[DONE]");
    // The usage chunk was untouched, so it went out byte for byte.
    expect(payloads.at(-3)).toBe(JSON.stringify({ ...base, choices: [], usage }));
    // The extra chunk reuses id and model, carries no usage, and comes last before [DONE].
    expect(JSON.parse(payloads.at(-2)!)).toEqual({ ...base, choices: [{ index: 0, delta: { content: "4111" }, finish_reason: null }] });
    expect(JSON.parse(payloads[0]).choices[0].delta.content).toBe("no finish at ");
    expect((await dlp.done).text).toBe("no finish at 4111");
  });

  it("masks block-action types like redactions and reports them", async () => {
    const { raw, done } = await scanned(upstream([`key: ${SECRET.slice(0, 12)}`, `${SECRET.slice(12)} ok`]));
    expect(raw).not.toContain(SECRET.slice(8));
    expect(contentOf(raw)).toBe("key: [SECRET] ok");
    expect(done.outcome).toMatchObject({ types: ["SECRET"], blocked: ["SECRET"] });
  });

  it("scans each choice on its own and reports the text of choice 0", async () => {
    const sse = delta("zero 4111 1111 ", 0) + delta("one 4111 1111 ", 1) + delta("1111 1111", 0) + delta("1111 1111", 1) + stop(0) + stop(1) + "data: [DONE]\n\n";
    const { raw, done } = await scanned(sse);
    expect(contentOf(raw, 0)).toBe("zero [CREDIT_CARD]");
    expect(contentOf(raw, 1)).toBe("one [CREDIT_CARD]");
    expect(done.text).toBe("zero [CREDIT_CARD]");
    expect(done.outcome.findings).toBe(1);
  });

  it("passes error payloads by, drops upstream junk, and ends with one [DONE]", async () => {
    const err = { error: { message: "overloaded", type: "server_error", code: null } };
    const sse = delta("hello ") + ": comment\n\n" + "data: not json\n\n" + frame(err) + delta("there") + stop() + "data: [DONE]\n\n";
    const { raw, done } = await scanned(sse);
    expect(dataPayloads(raw)).toContain(JSON.stringify(err));
    expect(dataPayloads(raw)).not.toContain("not json");
    expect(dataPayloads(raw).filter((p) => p === "[DONE]")).toHaveLength(1);
    expect(done.text).toBe("hello there");
  });

  it("sends held text after the error event when the upstream breaks off", async () => {
    const { raw, done, summary } = await scanned(brokenStream(delta("partial answer 4111")));
    const payloads = dataPayloads(raw);
    expect(JSON.parse(payloads.at(-2)!).error).toMatchObject({ code: "stream_interrupted" });
    expect(JSON.parse(payloads.at(-1)!).choices[0].delta.content).toBe("4111");
    expect(payloads).not.toContain("[DONE]");
    expect(done.text).toBe("partial answer 4111");
    expect(summary.error?.code).toBe("stream_interrupted");
  });

  it("still hands the first event on as soon as it is read", async () => {
    const dlp = streamDlp(compileDlpPolicy());
    const { body } = pipeStream(wire, call, byteStream(upstream(["Hello", " there"]), { every: 3 }), dlp.hook);
    const reader = body.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe(frame({ ...base, choices: [{ index: 0, delta: { content: "Hello" }, finish_reason: null }] }));
    await reader.cancel();
  });

  it("keeps what was sent in snapshot() when the client goes away", async () => {
    const dlp = streamDlp(compileDlpPolicy());
    const long = "plain words ".repeat(20);
    const { body, summary } = pipeStream(wire, call, byteStream(upstream([long, `card ${CARD}`, " more"]), { every: 40 }), dlp.hook);
    const reader = body.getReader();
    let seen = "";
    while (!seen.includes("plain")) seen += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel("gone");
    expect((await summary).clientClosed).toBe(true);
    const snap = dlp.snapshot();
    expect(snap.text.length).toBeGreaterThan(0);
    expect(long.startsWith(snap.text)).toBe(true);
  });

  it("scans chunks a translating adapter builds (Anthropic)", async () => {
    const ev = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const text = (t: string) => ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: t } });
    const sse =
      ev("message_start", { message: { id: "msg_1", model: "claude", usage: { input_tokens: 3, output_tokens: 1 } } }) +
      ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }) +
      text("the card 4111 1") + text("111 1111 1111") + text(" was used") +
      ev("message_delta", { delta: { stop_reason: "end_turn" }, usage: { output_tokens: 9 } }) +
      ev("message_stop", {});
    const dlp = streamDlp(compileDlpPolicy());
    const raw = await readText(pipeStream(anthropicAdapter, call, byteStream(sse, { every: 11 }), dlp.hook).body);
    expect(raw).not.toContain("4111");
    expect(contentOf(raw)).toBe("the card [CREDIT_CARD] was used");
    expect(chunksOf(raw).at(-1)!.choices[0]).toMatchObject({ finish_reason: "stop" });
    // The card's digits were held until decided; no chunk but the opening (role) one has empty content.
    expect(chunksOf(raw).filter((c) => c.choices[0]?.delta.content === "" && !c.choices[0].delta.role)).toEqual([]);
    expect((await dlp.done).outcome.types).toEqual(["CREDIT_CARD"]);
  });

  it("forwards OpenAI-format chunks byte for byte when the policy cannot change them", async () => {
    const sse = upstream(["my card is 4111 11", "11 1111 1111"]);
    const { raw, done } = await scanned(sse, compileDlpPolicy({ enabled: false }));
    expect(raw).toBe(sse);
    expect(done).toEqual({ outcome: { types: [], blocked: [], findings: 0 }, text: `my card is ${CARD}` });
  });

  describe("every text field of a delta", () => {
    const toolDelta = (calls: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) =>
      frame({ ...base, choices: [{ index: 0, delta: { tool_calls: calls }, finish_reason: null, ...extra }] });
    const finish = (reason: string) => frame({ ...base, choices: [{ index: 0, delta: {}, finish_reason: reason }] });

    /** Tool call `index`'s arguments across all chunks, as a client assembles them. */
    function argumentsOf(raw: string, index: number): string {
      return chunksOf(raw).flatMap((c) => c.choices.flatMap((ch) => (ch.delta.tool_calls ?? []).filter((t) => t.index === index).map((t) => t.function?.arguments ?? ""))).join("");
    }

    it("redacts a secret split across streamed tool-call argument fragments, per tool-call index", async () => {
      const sse =
        toolDelta([{ index: 0, id: "call_a", type: "function", function: { name: "deploy", arguments: "" } }]) +
        toolDelta([{ index: 1, id: "call_b", type: "function", function: { name: "pay", arguments: "" } }]) +
        toolDelta([{ index: 0, function: { arguments: `{"key":"${SECRET.slice(0, 10)}` } }]) +
        toolDelta([{ index: 1, function: { arguments: `{"card":"${CARD.slice(0, 9)}` } }]) +
        toolDelta([{ index: 0, function: { arguments: `${SECRET.slice(10)}"}` } }]) +
        toolDelta([{ index: 1, function: { arguments: `${CARD.slice(9)}"}` } }]) +
        finish("tool_calls") + "data: [DONE]\n\n";
      const { raw, done } = await scanned(sse);
      expect(raw).not.toContain(SECRET.slice(10));
      expect(raw).not.toContain("1111 1111");
      expect(JSON.parse(argumentsOf(raw, 0))).toEqual({ key: "[SECRET]" });
      expect(JSON.parse(argumentsOf(raw, 1))).toEqual({ card: "[CREDIT_CARD]" });
      // Ids and names go out as they came, on the first fragment of each call.
      const first = chunksOf(raw)[0].choices[0].delta.tool_calls![0];
      expect(first).toMatchObject({ index: 0, id: "call_a", function: { name: "deploy" } });
      expect(done.outcome).toMatchObject({ types: ["SECRET", "CREDIT_CARD"], blocked: ["SECRET"] });
      expect(done.text).toBe("");
    });

    it("flushes held tool-call arguments into one extra chunk when no finish_reason came", async () => {
      const sse = toolDelta([{ index: 0, id: "call_a", type: "function", function: { name: "f", arguments: `{"ssn":"536-90-4399"}` } }]) + "data: [DONE]\n\n";
      const { raw } = await scanned(sse);
      expect(raw).not.toContain("536-90-4399");
      expect(argumentsOf(raw, 0)).toBe(`{"ssn":"[US_SSN]"}`);
    });

    it("redacts refusal, reasoning_content, reasoning and legacy function_call.arguments split across chunks", async () => {
      const d = (delta: Record<string, unknown>) => frame({ ...base, choices: [{ index: 0, delta, finish_reason: null }] });
      const sse =
        d({ refusal: `I won't share ${CARD.slice(0, 8)}` }) + d({ refusal: `${CARD.slice(8)}.` }) +
        d({ reasoning_content: "the ssn 536-9" }) + d({ reasoning_content: "0-4399 is" }) +
        d({ reasoning: "again 536-90" }) + d({ reasoning: "-4399" }) +
        d({ function_call: { name: "lookup", arguments: `{"k":"${SECRET.slice(0, 5)}` } }) + d({ function_call: { arguments: `${SECRET.slice(5)}"}` } }) +
        stop() + "data: [DONE]\n\n";
      const { raw } = await scanned(sse);
      const field = (name: string) => chunksOf(raw).flatMap((c) => c.choices.map((ch) => ((ch.delta as Record<string, unknown>)[name] as string | undefined) ?? "")).join("");
      expect(field("refusal")).toBe("I won't share [CREDIT_CARD].");
      expect(field("reasoning_content")).toBe("the ssn [US_SSN] is");
      expect(field("reasoning")).toBe("again [US_SSN]");
      const fc = chunksOf(raw).map((c) => (c.choices[0].delta as { function_call?: { arguments?: string } }).function_call?.arguments ?? "").join("");
      expect(fc).toBe(`{"k":"[SECRET]"}`);
      expect(raw).not.toContain("4399");
      expect(raw).not.toContain(SECRET.slice(5));
    });

    it("drops logprobs of a chunk whose text was held or masked (they spell out the raw tokens)", async () => {
      const lp = { content: [{ token: "4111", logprob: -0.1 }] };
      const sse = frame({ ...base, choices: [{ index: 0, delta: { content: `card ${CARD}` }, logprobs: lp, finish_reason: null }] }) + stop() + "data: [DONE]\n\n";
      const { raw } = await scanned(sse);
      expect(raw).not.toContain("4111");
    });
  });
});
