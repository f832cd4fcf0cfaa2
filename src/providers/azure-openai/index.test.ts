import { describe, expect, it } from "vitest";
import { attemptChat, attemptEmbeddings } from "../execute";
import { byteStream, chatCall, embeddingsCall, runStream, runtime } from "../testing";
import type { ChatCall, ProviderRuntime } from "../types";
import adapter, { AZURE_DEFAULT_API_VERSION } from "./index";
import * as wire from "./fixtures/wire";

const provider = runtime({ type: "azure-openai", apiKey: "azure-key", baseUrl: "https://acme.openai.azure.com" });
const call = (request: Partial<ChatCall["request"]>, stream = false, p: ProviderRuntime = provider): ChatCall =>
  chatCall({ ...request, stream }, { provider: p, model: "gpt4o-prod", stream });

describe("azure-openai request mapping", () => {
  it("addresses the deployment with api-version and the api-key header", () => {
    const req = adapter.chat.request(call({}));
    expect(AZURE_DEFAULT_API_VERSION).toBe("2024-10-21");
    expect(req.url).toBe("https://acme.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21");
    expect(req.headers).toEqual({ "content-type": "application/json", "api-key": "azure-key" });
    expect(req.headers.authorization).toBeUndefined();
  });

  it("takes the API version from options and accepts a base_url ending in /openai", () => {
    const p = runtime({ type: "azure-openai", apiKey: "k", baseUrl: "https://acme.openai.azure.com/openai/", options: { api_version: "2025-04-01-preview" } });
    expect(adapter.chat.request(call({}, false, p)).url).toBe("https://acme.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2025-04-01-preview");
  });

  it("uses the version-less /openai/v1 surface when api_version is v1", () => {
    const p = runtime({ type: "azure-openai", apiKey: "k", baseUrl: "https://acme.openai.azure.com/openai/v1", options: { api_version: "v1" } });
    const req = adapter.chat.request(call({}, false, p));
    expect(req.url).toBe("https://acme.openai.azure.com/openai/v1/chat/completions");
    expect(JSON.parse(req.body ?? "").model).toBe("gpt4o-prod");
  });

  it("maps embeddings to the deployment's /embeddings", () => {
    const req = adapter.embeddings!.request(embeddingsCall({ input: ["a"] }, { provider, model: "embed-small" }));
    expect(req.url).toBe("https://acme.openai.azure.com/openai/deployments/embed-small/embeddings?api-version=2024-10-21");
  });

  it("fails clearly without a base_url", async () => {
    const a = await attemptChat(adapter, call({}, false, runtime({ type: "azure-openai" })), { timeoutMs: 1000 });
    expect(!a.ok && a.failure.error.message).toMatch(/base_url/);
  });
});

describe("azure-openai responses", () => {
  it("maps completions and embeddings", async () => {
    const a = await attemptChat({ ...adapter, transport: async () => Response.json(wire.completion) }, call({}), { timeoutMs: 1000 });
    expect(a.ok && a.kind === "json" && a.completion.choices[0].message.content).toBe("Yes, Azure OpenAI supports customer managed keys.");
    const e = await attemptEmbeddings({ ...adapter, transport: async () => Response.json(wire.embeddings) }, embeddingsCall({}, { provider }), { timeoutMs: 1000 });
    expect(e.ok && e.response.data[0].embedding).toEqual([0.0023064255, -0.009327292, -0.0028842222]);
  });

  it("maps Azure error bodies", () => {
    expect(adapter.error(400, wire.contentFilterError)).toMatchObject({ code: "content_filter", message: expect.stringContaining("content management policy") });
    expect(adapter.error(404, wire.deploymentNotFoundError)).toMatchObject({ code: "DeploymentNotFound", type: "upstream_error" });
  });

  it("streams without Azure's choice-less prompt_filter_results chunk", async () => {
    const r = await runStream(adapter, call({ stream_options: { include_usage: true } }, true), byteStream(wire.stream, { every: 4 }));
    expect(r.chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(r.raw).not.toContain("prompt_filter_results");
    expect(r.content).toBe("Olá");
    expect(r.finishReasons).toEqual(["stop"]);
    expect(r.chunks[r.chunks.length - 1].usage).toEqual({ completion_tokens: 2, prompt_tokens: 8, total_tokens: 10 });
    expect(r.summary.usage?.total_tokens).toBe(10);
  });
});
