import { describe, expect, it } from "vitest";
import type { ChatCompletion } from "../gateway/schemas";
import { canonicalJson, exactCacheKey, semanticPartition } from "./key";
import { cachePlan, cacheScope } from "./policy";
import { completionToSse, streamedCompletion } from "./replay";
import { IsolateSemanticIndex, cacheEmbedding } from "./semantic";

const body = { model: "m", messages: [{ role: "user" as const, content: "hi" }], temperature: 0.2 };

describe("cache policy and keys", () => {
  it("restricted is never cached; bypass and off are honoured; internal is team-scoped", () => {
    expect(cachePlan({ mode: "exact" }, "restricted", null).status).toBe("bypass");
    expect(cachePlan({ mode: "semantic" }, "public", "BYPASS").status).toBe("bypass");
    expect(cachePlan(undefined, "public", null).status).toBe("off");
    expect(cachePlan({ mode: "exact", ttl_s: 5 }, "public", null)).toMatchObject({ status: "miss", ttlS: 5 });
    expect(cacheScope("restricted", "t")).toBeUndefined();
    expect(cacheScope("internal", "t")).toBe("team:t");
    expect(cacheScope("public", "t")).toBe("public");
  });

  it("keys ignore delivery fields and key order, but not parameters or scope", async () => {
    expect(canonicalJson({ b: 1, a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":1}');
    const k = await exactCacheKey("public", "m", body);
    expect(await exactCacheKey("public", "m", { ...body, stream: true, user: "u" })).toBe(k);
    expect(await exactCacheKey("public", "m", { ...body, temperature: 0.3 })).not.toBe(k);
    expect(await exactCacheKey("team:a", "m", body)).not.toBe(k);
    expect(await semanticPartition("public", "m", { ...body, messages: [{ role: "user", content: "other" }] })).toBe(await semanticPartition("public", "m", body));
  });

  it("the isolate semantic index finds similar prompts within a partition, respects expiry and bounds", async () => {
    const idx = new IsolateSemanticIndex(2);
    await idx.upsert("p", "k1", cacheEmbedding("What is the capital city of France?"), 1000);
    expect((await idx.query("p", cacheEmbedding("what is the capital city of france"), 0.9, 0))?.key).toBe("k1");
    expect(await idx.query("p", cacheEmbedding("how do plants photosynthesise"), 0.9, 0)).toBeUndefined();
    expect(await idx.query("other", cacheEmbedding("What is the capital city of France?"), 0.9, 0)).toBeUndefined();
    expect(await idx.query("p", cacheEmbedding("What is the capital city of France?"), 0.9, 1000)).toBeUndefined();
    await idx.upsert("p", "k2", cacheEmbedding("b"), 1000);
    await idx.upsert("p", "k3", cacheEmbedding("c"), 1000);
    expect(await idx.query("p", cacheEmbedding("What is the capital city of France?"), 0.99, 0)).toBeUndefined();
  });

  it("replays a completion as SSE that reassembles to the same content", () => {
    const c: ChatCompletion = streamedCompletion("m", "hello there world", "stop", { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 }, 0);
    const sse = completionToSse(c, true);
    const chunks = sse.split("\n\n").filter((e) => e.startsWith("data: {")).map((e) => JSON.parse(e.slice(6)));
    expect(chunks.flatMap((x) => x.choices.map((ch: { delta: { content?: string } }) => ch.delta.content ?? "")).join("")).toBe("hello there world");
    expect(chunks.at(-1).usage.total_tokens).toBe(4);
    expect(completionToSse(c, false)).not.toContain('"usage"');
    expect(sse.endsWith("data: [DONE]\n\n")).toBe(true);
  });
});
