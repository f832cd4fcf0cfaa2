/**
 * Drives the running gateway's /v1/responses with the official `openai` SDK's Responses API
 * (what current OpenAI SDKs and agent frameworks default to): stateless create, streamed, and a
 * function-tool round trip.
 */
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";

const url = inject("gatewayUrl");
const keys = inject("demoKeys");
const publicKey = keys.find((k) => k.workload === "support-bot")!.apiKey;
const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: publicKey, maxRetries: 0 });
const unique = () => `${Date.now()}-${Math.random()}`;

const lookup: OpenAI.Responses.FunctionTool = {
  type: "function",
  name: "lookup_order",
  description: "Look an order up",
  parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"], additionalProperties: false },
  strict: true,
};

describe("OpenAI Responses API against the gateway", () => {
  it("responses.create with a string input and instructions", async () => {
    const res = await client.responses.create({ model: "gpt-sim", instructions: "Be brief.", input: `Say hello ${unique()}`, max_output_tokens: 64 });
    expect(res.object).toBe("response");
    expect(res.status).toBe("completed");
    expect(res.output_text.length).toBeGreaterThan(0);
    expect(res.usage?.total_tokens).toBe((res.usage?.input_tokens ?? 0) + (res.usage?.output_tokens ?? 0));
  });

  it("streams events through the SDK's helper and its raw iterator", async () => {
    const stream = client.responses.stream({ model: "gpt-sim", input: `Stream to me ${unique()}` });
    let text = "";
    stream.on("response.output_text.delta", (e) => (text += e.delta));
    const final = await stream.finalResponse();
    expect(text.split(" ").length).toBeGreaterThan(3);
    expect(final.output_text).toBe(text);
    expect(final.usage?.output_tokens).toBeGreaterThan(0);
    const raw = await client.responses.create({ model: "gpt-sim", input: `Raw stream ${unique()}`, stream: true });
    const types: string[] = [];
    for await (const event of raw) types.push(event.type);
    expect(types[0]).toBe("response.created");
    expect(types).toContain("response.output_text.delta");
    expect(types.at(-1)).toBe("response.completed");
  });

  it("calls a function tool and takes its output back", async () => {
    const input = `Where is order 42? ${unique()}`;
    const first = await client.responses.create({ model: "gpt-sim", input, tools: [lookup], tool_choice: "required" });
    const call = first.output.find((o) => o.type === "function_call") as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call.name).toBe("lookup_order");
    const second = await client.responses.create({
      model: "gpt-sim", tools: [lookup],
      input: [{ role: "user", content: input }, call, { type: "function_call_output", call_id: call.call_id, output: "shipped" }],
    });
    expect(second.output_text.length).toBeGreaterThan(0);
    const streamed = client.responses.stream({ model: "gpt-sim", input, tools: [lookup], tool_choice: { type: "function", name: "lookup_order" } });
    let args = "";
    streamed.on("response.function_call_arguments.delta", (e) => (args += e.delta));
    const final = await streamed.finalResponse();
    expect(final.output[0]).toMatchObject({ type: "function_call", name: "lookup_order", arguments: args });
  });

  it("refuses stored responses with a 400 the SDK raises as BadRequestError", async () => {
    await expect(client.responses.create({ model: "gpt-sim", input: "x", store: true })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(client.responses.create({ model: "gpt-sim", input: "x", previous_response_id: "resp_1" })).rejects.toMatchObject({ status: 400, param: "previous_response_id" });
  });
});
