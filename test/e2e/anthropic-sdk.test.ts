/**
 * Drives the running gateway's /v1/messages with the official `@anthropic-ai/sdk`, as an app (or
 * a coding agent reading ANTHROPIC_BASE_URL) would: only the base URL and the key change. The
 * catalog's `gpt-sim` is an OpenAI-shaped target: Anthropic in, OpenAI-compatible out, and back.
 */
import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, inject, it } from "vitest";

const url = inject("gatewayUrl");
const keys = inject("demoKeys");
const publicKey = keys.find((k) => k.workload === "support-bot")!.apiKey;
const client = new Anthropic({ baseURL: url, apiKey: publicKey, maxRetries: 0 });
const unique = () => `${Date.now()}-${Math.random()}`;

const weather: Anthropic.Tool = {
  name: "get_weather",
  description: "Current weather in a city",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

describe("Anthropic SDK against the gateway", () => {
  it("creates a message", async () => {
    const msg = await client.messages.create({ model: "gpt-sim", max_tokens: 64, system: "Be brief.", messages: [{ role: "user", content: `Say hello ${unique()}` }] });
    expect(msg.type).toBe("message");
    expect(msg.role).toBe("assistant");
    expect(msg.stop_reason).toBe("end_turn");
    const text = msg.content.filter((b) => b.type === "text").map((b) => (b as Anthropic.TextBlock).text).join("");
    expect(text.length).toBeGreaterThan(0);
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
  });

  it("exposes the gateway's headers, and a cache hit answers in the same shape", async () => {
    const body = { model: "gpt-sim", max_tokens: 64, messages: [{ role: "user" as const, content: `cache me ${unique()}` }] };
    const first = await client.messages.create(body).withResponse();
    expect(first.response.headers.get("x-switchyard-cache")).toBe("miss");
    const second = await client.messages.create(body).withResponse();
    expect(second.response.headers.get("x-switchyard-cache")).toBe("hit");
    expect(second.data.content).toEqual(first.data.content);
  });

  it("streams with the SDK's MessageStream: text events and a final message with usage", async () => {
    const stream = client.messages.stream({ model: "gpt-sim", max_tokens: 64, messages: [{ role: "user", content: `Stream to me ${unique()}` }] });
    let text = "";
    stream.on("text", (delta) => (text += delta));
    const final = await stream.finalMessage();
    expect(text.split(" ").length).toBeGreaterThan(3);
    expect((final.content[0] as Anthropic.TextBlock).text).toBe(text);
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    expect(final.stop_reason).toBe("end_turn");
  });

  it("uses a tool: tool_use out, tool_result back in; streamed tool input parsed by the SDK", async () => {
    const ask = { role: "user" as const, content: `Weather in Paris? ${unique()}` };
    const first = await client.messages.create({ model: "gpt-sim", max_tokens: 64, tools: [weather], tool_choice: { type: "any" }, messages: [ask] });
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((b) => b.type === "tool_use") as Anthropic.ToolUseBlock;
    expect(use.name).toBe("get_weather");
    const second = await client.messages.create({
      model: "gpt-sim", max_tokens: 64, tools: [weather],
      messages: [ask, { role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "sunny, 21C" }] }],
    });
    expect(second.stop_reason).toBe("end_turn");
    const streamed = await client.messages.stream({ model: "gpt-sim", max_tokens: 64, tools: [weather], tool_choice: { type: "tool", name: "get_weather" }, messages: [ask] }).finalMessage();
    expect(streamed.content[0]).toMatchObject({ type: "tool_use", name: "get_weather", input: {} });
    expect(streamed.stop_reason).toBe("tool_use");
  });

  it("counts tokens", async () => {
    const count = await client.messages.countTokens({ model: "gpt-sim", messages: [{ role: "user", content: "How many tokens is this?" }] });
    expect(count.input_tokens).toBeGreaterThan(3);
  });

  it("raises the SDK's typed errors: 401, 404, 403, 400", async () => {
    const bad = new Anthropic({ baseURL: url, apiKey: "sk-sy-not-a-real-key", maxRetries: 0 });
    const msg = { max_tokens: 8, messages: [{ role: "user" as const, content: "x" }] };
    await expect(bad.messages.create({ model: "gpt-sim", ...msg })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(client.messages.create({ model: "no-such-model", ...msg })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    await expect(client.messages.create({ model: "eu-sim", ...msg })).rejects.toBeInstanceOf(Anthropic.PermissionDeniedError);
    const err = await client.messages.create({ model: "gpt-sim", max_tokens: 8, messages: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });
});
