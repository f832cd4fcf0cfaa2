import { describe, expect, it } from "vitest";
import { attemptChat } from "../execute";
import { byteStream, chatCall, embeddingsCall, runStream, runtime } from "../testing";
import type { ChatCall } from "../types";
import adapter from "./index";
import * as wire from "./fixtures/wire";

const provider = runtime({ type: "openai", apiKey: "sk-test" });
const call = (request: Partial<ChatCall["request"]>, stream = false): ChatCall => chatCall({ ...request, stream }, { provider, model: "gpt-4o-mini", stream });

describe("openai request mapping", () => {
  it("defaults to api.openai.com with a Bearer key and the target's model name", () => {
    const req = adapter.chat.request(call({ temperature: 0.5 }));
    expect(req.url).toBe("https://api.openai.com/v1/chat/completions");
    expect(req.headers).toEqual({ "content-type": "application/json", authorization: "Bearer sk-test" });
    expect(JSON.parse(req.body ?? "")).toEqual({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], temperature: 0.5 });
  });

  it("always asks a stream for usage, whatever the client said", () => {
    const body = JSON.parse(adapter.chat.request(call({}, true)).body ?? "");
    expect(body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("honours base_url and the organization/project options", () => {
    const c = chatCall({}, { provider: runtime({ type: "openai", apiKey: "k", baseUrl: "https://eu.api.openai.com/v1/", options: { organization: "org-1", project: "proj_1" } }), model: "m" });
    const req = adapter.chat.request(c);
    expect(req.url).toBe("https://eu.api.openai.com/v1/chat/completions");
    expect(req.headers).toMatchObject({ "openai-organization": "org-1", "openai-project": "proj_1" });
  });

  it("maps embeddings to /embeddings with floats", () => {
    const req = adapter.embeddings!.request(embeddingsCall({ input: "x", encoding_format: "base64" }, { provider, model: "text-embedding-3-small" }));
    expect(req.url).toBe("https://api.openai.com/v1/embeddings");
    expect(JSON.parse(req.body ?? "")).toEqual({ model: "text-embedding-3-small", input: "x", encoding_format: "float" });
  });
});

describe("openai responses", () => {
  it("passes a completion through", async () => {
    const a = await attemptChat({ ...adapter, transport: async () => Response.json(wire.completion) }, call({}), { timeoutMs: 1000 });
    expect(a.ok && a.kind === "json" && a.completion).toEqual(wire.completion);
  });

  it("maps an error body and a 401 as not retryable", async () => {
    const a = await attemptChat({ ...adapter, transport: async () => new Response(wire.invalidKeyError, { status: 401 }) }, call({}), { timeoutMs: 1000 });
    expect(!a.ok && a.failure).toMatchObject({ status: 401, retryable: false, error: { type: "invalid_request_error", code: "invalid_api_key" } });
  });

  it("streams: forwards chunks untouched and drops the usage chunk the client did not ask for", async () => {
    const r = await runStream(adapter, call({}, true), byteStream(wire.stream, { every: 6 }));
    expect(r.content).toBe("Hello there 👋");
    expect(r.finishReasons).toEqual(["stop"]);
    expect(r.chunks.some((c) => c.usage)).toBe(false);
    expect(r.summary.usage).toEqual({ prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 });
    expect(r.payloads.filter((p) => p === "[DONE]")).toHaveLength(1);
  });
});
