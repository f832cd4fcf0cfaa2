import { describe, expect, it } from "vitest";
import { emitBatched, isPack, packTexts, utf8ByteBound } from "./emit";
import type { UsageQueueBody, UsageQueueMessage } from "./messages";

/** Records what the producer hands the queue (the queue's own behaviour is the integration tests'). */
function recordingQueue() {
  const calls: Array<Array<{ body: string; contentType?: string }>> = [];
  const queue = { sendBatch: async (messages: Array<{ body: string; contentType?: string }>) => void calls.push(messages) };
  return { calls, queue: queue as unknown as Queue<UsageQueueBody> };
}

function waitUntilAll() {
  const pending: Array<Promise<unknown>> = [];
  return { ctx: { waitUntil: (p: Promise<unknown>) => void pending.push(p) }, settled: () => Promise.all(pending) };
}

describe("utf8ByteBound", () => {
  it("is exact for short ASCII, bounds other short text by 3 bytes a unit, measures long text", () => {
    expect(utf8ByteBound("hello")).toBe(5);
    expect(utf8ByteBound("héllo")).toBe(15);
    const long = "é".repeat(5000);
    expect(utf8ByteBound(long)).toBe(10_000);
  });

  it("is exact for long ASCII text and for long text with one character beyond ASCII at its end", () => {
    expect(utf8ByteBound("a".repeat(10_000))).toBe(10_000);
    expect(utf8ByteBound("a".repeat(10_000) + "€")).toBe(10_003);
  });
});

describe("packTexts", () => {
  it("joins texts in order into envelopes the consumer can parse", () => {
    const texts = ['{"a":1}', '{"b":"x,y"}', "[]"];
    const [pack, ...rest] = packTexts(texts, texts.map((t) => t.length));
    expect(rest).toEqual([]);
    const parsed: unknown = JSON.parse(pack);
    expect(isPack(parsed)).toBe(true);
    expect(parsed).toEqual({ type: "pack", messages: [{ a: 1 }, { b: "x,y" }, []] });
  });

  it("starts a new pack before one would pass the byte limit, and never leaves a text out", () => {
    const texts = Array.from({ length: 10 }, (_, i) => JSON.stringify({ i, pad: "x".repeat(30) }));
    const limit = 150;
    const packs = packTexts(texts, texts.map((t) => t.length), limit);
    expect(packs.length).toBeGreaterThan(1);
    for (const p of packs) expect(p.length).toBeLessThanOrEqual(limit);
    expect(packs.flatMap((p) => (JSON.parse(p) as { messages: Array<{ i: number }> }).messages.map((m) => m.i))).toEqual([...texts.keys()]);
  });

  it("gives a text larger than the limit a pack of its own", () => {
    const big = JSON.stringify({ pad: "y".repeat(300) });
    const packs = packTexts(["{}", big, "{}"], [2, big.length, 2], 100);
    expect(packs.map((p) => (JSON.parse(p) as { messages: unknown[] }).messages.length)).toEqual([1, 1, 1]);
  });
});

describe("emitBatched", () => {
  it("sends the events of one flush as one packed message, not one message each", async () => {
    const { calls, queue } = recordingQueue();
    const { ctx, settled } = waitUntilAll();
    for (let i = 0; i < 25; i++) emitBatched(queue, ctx, { type: "request", n: i } as unknown as UsageQueueMessage);
    await settled();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(1);
    expect(calls[0][0].contentType).toBe("text");
    const body: unknown = JSON.parse(calls[0][0].body);
    expect(isPack(body) && body.messages.map((m) => (m as { n: number }).n)).toEqual([...Array(25).keys()]);
  });

  it("splits a flush larger than one message into several packs of the same sendBatch", async () => {
    const { calls, queue } = recordingQueue();
    const { ctx, settled } = waitUntilAll();
    // 3 × 50 KB: more than one 120 KB pack, less than one 200 KB batch.
    for (let i = 0; i < 3; i++) emitBatched(queue, ctx, { type: "request", n: i, pad: "z".repeat(50_000) } as unknown as UsageQueueMessage);
    await settled();
    expect(calls).toHaveLength(1);
    expect(calls[0].length).toBe(2);
    const ns = calls[0].flatMap((m) => (JSON.parse(m.body) as { messages: Array<{ n: number }> }).messages.map((x) => x.n));
    expect(ns).toEqual([0, 1, 2]);
  });
});
