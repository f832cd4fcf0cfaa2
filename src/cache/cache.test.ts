import { describe, expect, it } from "vitest";
import type { ChatCompletion } from "../gateway/schemas";
import { canonicalJson, exactCacheKey, semanticPartition } from "./key";
import { cacheNamespace, cachePlan } from "./policy";
import { completionToSse, streamedCompletion } from "./replay";
import { IsolateSemanticIndex } from "./semantic";
import { simulatedEmbedding } from "../providers/simulated/generate";
import { compileDlpPolicy } from "../dlp";
import { scanHit } from "./stage";
import type { CachedAnswer } from "./store";

/** The demo's lexical embedding (embed-sim), L2-normalised as ./embed.ts leaves vectors. */
const cacheEmbedding = (text: string) => simulatedEmbedding(text, 256);

const body = { model: "m", messages: [{ role: "user" as const, content: "hi" }], temperature: 0.2 };

describe("cache policy and keys", () => {
  it("restricted is never cached; bypass and off are honoured; semantic needs an embeddings model", async () => {
    expect(cachePlan({ mode: "exact" }, "restricted", null).status).toBe("bypass");
    expect(cachePlan({ mode: "semantic" }, "public", "BYPASS").status).toBe("bypass");
    expect(cachePlan(undefined, "public", null).status).toBe("off");
    expect(cachePlan({ mode: "exact", ttl_s: 5 }, "public", null)).toMatchObject({ status: "miss", ttlS: 5, embeddingModel: undefined });
    expect(cachePlan({ mode: "semantic", embedding_model: "e" }, "public", null).embeddingModel).toBe("e");
    expect(cachePlan({ mode: "exact", embedding_model: "e" }, "public", null).embeddingModel).toBeUndefined();
    expect(cachePlan({ mode: "semantic" }, "public", null)).toMatchObject({ status: "miss", embeddingModel: undefined });
  });

  it("namespaces: per workload by default, per team by opt-in, never across policies or classes", () => {
    const w = { id: "w1", team: "t", cache: { mode: "exact" as const }, dlp: undefined };
    expect(cacheNamespace("restricted", w)).toBeUndefined();
    const ns = cacheNamespace("public", w)!;
    expect(cacheNamespace("public", { ...w, id: "w2" })).not.toBe(ns);
    expect(cacheNamespace("internal", w)).not.toBe(ns);
    const strict = { ...w, dlp: { actions: { email: "redact" } } } as unknown as typeof w;
    expect(cacheNamespace("public", strict)).not.toBe(ns);
    const teamA = { ...w, cache: { mode: "exact" as const, scope: "team" as const } };
    expect(cacheNamespace("public", { ...teamA, id: "w2" })).toBe(cacheNamespace("public", teamA));
    expect(cacheNamespace("public", { ...teamA, team: "u" })).not.toBe(cacheNamespace("public", teamA));
    expect(cacheNamespace("public", { ...teamA, id: "w2", dlp: strict.dlp })).not.toBe(cacheNamespace("public", teamA));
  });

  it("keys ignore delivery fields and key order, but not parameters, tools or namespace", async () => {
    expect(canonicalJson({ b: 1, a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":1}');
    const k = await exactCacheKey("ns", "m", body);
    expect(await exactCacheKey("ns", "m", { ...body, stream: true, user: "u" })).toBe(k);
    expect(await exactCacheKey("ns", "m", { ...body, temperature: 0.3 })).not.toBe(k);
    expect(await exactCacheKey("ns2", "m", body)).not.toBe(k);
    const part = await semanticPartition("ns", "m", "e", body);
    expect(await semanticPartition("ns", "m", "e", { ...body, messages: [{ role: "user", content: "other" }] })).toBe(part);
    const tool = { type: "function", function: { name: "f", parameters: {} } };
    for (const other of [
      semanticPartition("ns2", "m", "e", body),
      semanticPartition("ns", "m2", "e", body),
      semanticPartition("ns", "m", "e2", body),
      semanticPartition("ns", "m", "e", { ...body, temperature: 0.3 }),
      semanticPartition("ns", "m", "e", { ...body, top_p: 0.5 }),
      semanticPartition("ns", "m", "e", { ...body, max_tokens: 7 }),
      semanticPartition("ns", "m", "e", { ...body, response_format: { type: "json_object" } } as typeof body),
      semanticPartition("ns", "m", "e", { ...body, tools: [tool] } as typeof body),
    ]) expect(await other).not.toBe(part);
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

  it("a hit is scanned with the requesting workload's policy: redacted, raised or blocked as a fresh answer", () => {
    const hit: CachedAnswer = {
      completion: streamedCompletion("m", "write to jane.doe@acme.io about card 4111 1111 1111 1111", "stop", undefined, 0),
      dataClass: "public", provider: "p", model: "m", storedAt: "",
    };
    const lax = scanHit(compileDlpPolicy({ enabled: false }), "public", hit);
    expect(lax.completion.choices[0].message.content).toContain("jane.doe@acme.io");
    expect(lax.dataClass).toBe("public");
    const strict = scanHit(compileDlpPolicy({ actions: { EMAIL_ADDRESS: "redact" } }), "public", hit);
    expect(strict.completion.choices[0].message.content).not.toContain("jane.doe@acme.io");
    expect(strict.completion.choices[0].message.content).not.toContain("4111 1111 1111 1111");
    expect(strict.outcome.types).toEqual(expect.arrayContaining(["EMAIL_ADDRESS", "CREDIT_CARD"]));
    expect(scanHit(compileDlpPolicy({}), "public", hit).dataClass).toBe("internal");
    expect(scanHit(compileDlpPolicy({ enabled: false }), "public", { ...hit, dataClass: "internal" }).dataClass).toBe("internal");
    expect(scanHit(compileDlpPolicy({ actions: { EMAIL_ADDRESS: "block" } }), "public", hit).outcome.blocked).toEqual(["EMAIL_ADDRESS"]);
    // The stored entry itself is never modified by a scan.
    expect(hit.completion.choices[0].message.content).toContain("jane.doe@acme.io");
  });
});
