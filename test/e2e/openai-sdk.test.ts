/**
 * Drives the running gateway with the official `openai` npm SDK, as an application would:
 * only the base URL and the key change.
 */
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";

const url = inject("gatewayUrl");
const keys = inject("demoKeys");
const publicKey = keys.find((k) => k.workload === "support-bot")!.apiKey;
const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: publicKey, maxRetries: 0 });

describe("OpenAI SDK against the gateway", () => {
  it("creates a chat completion", async () => {
    const completion = await client.chat.completions.create({ model: "gpt-sim", messages: [{ role: "user", content: "Say hello" }] });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0].message.content?.length).toBeGreaterThan(0);
    expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0));
  });

  it("exposes gateway headers through withResponse()", async () => {
    const { response } = await client.chat.completions.create({ model: "gpt-sim", messages: [{ role: "user", content: "headers" }] }).withResponse();
    expect(response.headers.get("x-switchyard-provider")).toBeTruthy();
    expect(response.headers.get("x-switchyard-region")).toBe("us");
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });

  it("streams chunks and reports usage with include_usage", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-sim",
      messages: [{ role: "user", content: "Stream to me" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.split(" ").length).toBeGreaterThan(3);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("creates embeddings (the SDK asks for base64 and decodes it)", async () => {
    const result = await client.embeddings.create({ model: "embed-sim", input: ["the cat sat", "a dog ran"] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0].embedding).toHaveLength(64);
    const norm = Math.sqrt(result.data[0].embedding.reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 4);
  });

  it("lists the models this key may use", async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id).sort();
    expect(ids).toEqual(["embed-sim", "gpt-sim", "gpt-sim-mini"]);
  });

  it("raises typed SDK errors: 401, 404, 403, 400", async () => {
    const bad = new OpenAI({ baseURL: `${url}/v1`, apiKey: "sk-sy-not-a-real-key", maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: "gpt-sim", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({ status: 404, code: "model_not_found" });
    await expect(client.chat.completions.create({ model: "eu-sim", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    await expect(client.chat.completions.create({ model: "gpt-sim", messages: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it("serves health without auth", async () => {
    const res = await fetch(`${url}/healthz`);
    expect(await res.json()).toMatchObject({ status: "ok", region: "us" });
  });
});
