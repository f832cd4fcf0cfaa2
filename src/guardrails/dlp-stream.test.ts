import { describe, expect, it } from "vitest";
import { compileDlpPolicy } from "../dlp";
import { scanSseStream } from "./dlp-stream";

function sse(pieces: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  const base = { id: "c", object: "chat.completion.chunk", created: 1, model: "m" };
  const frames = pieces.map((p) => `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] })}\n\n`);
  frames.push(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`, "data: [DONE]\n\n");
  // Re-chunk at odd byte boundaries so events split across reads.
  const all = enc.encode(frames.join(""));
  return new ReadableStream({ start(c) { for (let i = 0; i < all.length; i += 7) c.enqueue(all.slice(i, i + 7)); c.close(); } });
}

describe("stream DLP", () => {
  it("redacts a card number split across chunks and keeps the SSE framing", async () => {
    const s = scanSseStream(compileDlpPolicy(), sse(["my card is 4111 11", "11 1111 1111 ok", " thanks"]));
    const text = await new Response(s.readable).text();
    expect(text).not.toContain("4111");
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    const content = text.split("\n\n").filter((e) => e.startsWith("data: {")).map((e) => JSON.parse(e.slice(6)).choices.map((c: { delta: { content?: string } }) => c.delta.content ?? "").join("")).join("");
    expect(content).toBe("my card is [CREDIT_CARD] ok thanks");
    const done = await s.done;
    expect(done.text).toBe(content);
    expect(done.outcome.types).toEqual(["CREDIT_CARD"]);
  });
});
