/**
 * @module
 * Streams through the gateway, read with the official OpenAI SDK as a chat UI would: response DLP
 * must not hold text back. An answer of N tokens arrives as (about) N content deltas, never one
 * lump at the end after a row of empty deltas, and the chunk sequence stays what the SDK expects.
 */
import { SELF } from "cloudflare:test";
import OpenAI from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { describe, expect, it } from "vitest";
import { BASE, adminOk, createOrg } from "./helpers";

const TOKENS = 60;

async function setWorkload(workload: string, patch: Record<string, unknown>) {
  const wl = await adminOk<Record<string, unknown>>("GET", `/workloads/${workload}`);
  const { id: _id, updated_at: _u, ...spec } = wl;
  await adminOk("PUT", `/workloads/${workload}`, { ...spec, ...patch });
}

/** A workload on a simulated model that answers TOKENS words, and an SDK client for its key. */
async function setup(dlp?: Record<string, unknown>) {
  await adminOk("PUT", "/providers/sim-long", { type: "simulated", region: "us", options: { reply_tokens: String(TOKENS) } });
  await adminOk("PUT", "/models/long-chat", {
    targets: [{ provider: "sim-long", model: "sim-long-1" }],
    data_classes: ["public", "internal", "restricted"],
    price: { input_per_mtok: 1, output_per_mtok: 2 },
  });
  const org = await createOrg({ models: ["long-chat"] });
  if (dlp) await setWorkload(org.workload, { dlp });
  const client = new OpenAI({ baseURL: `${BASE}/v1`, apiKey: org.apiKey, maxRetries: 0, fetch: (url, init) => SELF.fetch(url, init) });
  return client;
}

async function streamChunks(client: OpenAI, content: string): Promise<ChatCompletionChunk[]> {
  const stream = await client.chat.completions.create({
    model: "long-chat",
    messages: [{ role: "user", content }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** The checks every stream must pass: one role, one finish, the usage chunk last, no gateway-made empty deltas. */
function expectValidSequence(chunks: ChatCompletionChunk[]) {
  const withChoices = chunks.filter((c) => c.choices.length > 0);
  expect(withChoices.filter((c) => c.choices[0].delta.role === "assistant")).toHaveLength(1);
  expect(withChoices[0].choices[0].delta.role).toBe("assistant");
  expect(withChoices.filter((c) => c.choices[0].finish_reason !== null)).toHaveLength(1);
  expect(withChoices.at(-1)!.choices[0].finish_reason).toBe("stop");
  expect(chunks.at(-1)!.usage?.completion_tokens).toBe(TOKENS);
  // The only empty content is the provider's own opening chunk, which carries the role.
  expect(withChoices.filter((c) => c.choices[0].delta.content === "" && !c.choices[0].delta.role)).toEqual([]);
}

const contentDeltas = (chunks: ChatCompletionChunk[]) => chunks.filter((c) => (c.choices[0]?.delta.content ?? "") !== "");

describe("streaming through response DLP with the OpenAI SDK", () => {
  it("delivers an N-token answer as N content deltas under the default policy", { timeout: 30_000 }, async () => {
    const client = await setup();
    const chunks = await streamChunks(client, "Tell me a long story");
    expectValidSequence(chunks);
    const deltas = contentDeltas(chunks);
    expect(deltas.length).toBeGreaterThanOrEqual(TOKENS);
    expect(deltas.map((c) => c.choices[0].delta.content).join("").split(" ")).toHaveLength(TOKENS);
  });

  it("lags at most one token when every word could begin a masked e-mail address", { timeout: 30_000 }, async () => {
    const client = await setup({ actions: { EMAIL_ADDRESS: "redact" } });
    const chunks = await streamChunks(client, "Tell me a long story");
    expectValidSequence(chunks);
    const deltas = contentDeltas(chunks);
    // Each word waits for the space that ends it: the first chunk's word goes out with the second.
    expect(deltas.length).toBeGreaterThanOrEqual(TOKENS - 1);
    expect(deltas[0].choices[0].delta.content!.trim().split(" ")).toHaveLength(1);
    expect(deltas.map((c) => c.choices[0].delta.content).join("").split(" ")).toHaveLength(TOKENS);
  });
});
