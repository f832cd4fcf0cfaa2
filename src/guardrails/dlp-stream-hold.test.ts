/**
 * @module
 * Response DLP on streams, as the executor's chunk hook: held text delays chunks instead of
 * emptying them. A chunk whose content is all held is not sent; the text goes out with the chunk
 * that decides it.
 */
import { describe, expect, it } from "vitest";
import { compileDlpPolicy } from "../dlp";
import type { ChatCompletionChunk } from "../gateway/schemas";
import { pipeStream } from "../providers/execute";
import { openAiLikeAdapter } from "../providers/openai-compatible";
import { byteStream, chatCall, dataPayloads, readText } from "../providers/testing";
import { streamDlp } from "./dlp-stream";

const wire = openAiLikeAdapter("openai-compatible", (_call, path) => ({ url: `test://upstream${path}`, headers: {} }));
const call = chatCall({ stream: true }, { stream: true });
const base = { id: "c", object: "chat.completion.chunk", created: 1, model: "m" };
const frame = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const delta = (d: Record<string, unknown>) => frame({ ...base, choices: [{ index: 0, delta: d, finish_reason: null }] });

async function run(sse: string) {
  const dlp = streamDlp(compileDlpPolicy());
  const raw = await readText(pipeStream(wire, call, byteStream(sse, { every: 9 }), dlp.hook).body);
  const chunks = dataPayloads(raw).filter((p) => p.startsWith("{")).map((p) => JSON.parse(p) as ChatCompletionChunk);
  return { raw, chunks, done: await dlp.done };
}

describe("stream DLP holds by delaying chunks", () => {
  it("does not send a chunk whose content is all held, and sends the decided text with the next", async () => {
    const pieces = ["card ", "4111 ", "1111 ", "1111 ", "1111", " ok"];
    const sse = pieces.map((p) => delta({ content: p })).join("") +
      frame({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }) + "data: [DONE]\n\n";
    const { raw, chunks, done } = await run(sse);
    expect(chunks.map((c) => c.choices[0].delta.content ?? null)).toEqual(["card ", "[CREDIT_CARD] ok", null]);
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe("stop");
    expect(raw.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(done.text).toBe("card [CREDIT_CARD] ok");
  });

  it("keeps a held chunk's role (and other fields) but drops its content", async () => {
    const sse = delta({ role: "assistant", content: "4111" }) + delta({ content: " is a number" }) +
      frame({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }) + "data: [DONE]\n\n";
    const { chunks } = await run(sse);
    expect(chunks[0].choices[0].delta).toEqual({ role: "assistant" });
    expect(chunks[1].choices[0].delta).toEqual({ content: "4111 is a number" });
  });
});
