import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, adminOk, chat, createOrg, eventually } from "./helpers";

describe("upstreams that report no usage", () => {
  it("get tokens estimated with the tokenizer, marked estimated", { timeout: 30_000 }, async () => {
    await adminOk("PUT", "/providers/sim-quiet", { type: "simulated", region: "us", options: { omit_usage: "true" } });
    await adminOk("PUT", "/models/quiet-chat", { targets: [{ provider: "sim-quiet", model: "q" }], data_classes: ["public"], price: { input_per_mtok: 1, output_per_mtok: 1 } });
    const org = await createOrg({ models: ["quiet-chat"] });
    const id = `est-${org.team}`;
    const res = await chat(org.apiKey, { model: "quiet-chat", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "count my tokens please" }] }, { "x-request-id": id });
    const text = await res.text();
    expect(text).not.toContain('"usage"');
    const row = await eventually(() => env.DB.prepare("SELECT tokens_in, tokens_out, estimated FROM usage_events WHERE client_request_id = ?").bind(id).first<{ tokens_in: number; tokens_out: number; estimated: number }>(), 25_000);
    expect(row.estimated).toBe(1);
    expect(row.tokens_in).toBe(4); // "count my tokens please" in cl100k_base
    expect(row.tokens_out).toBeGreaterThan(5);
  });

  it("JSON answers are estimated too (after the answer, through the usage event) and billed", { timeout: 30_000 }, async () => {
    await adminOk("PUT", "/providers/sim-quiet", { type: "simulated", region: "us", options: { omit_usage: "true" } });
    await adminOk("PUT", "/models/quiet-chat", { targets: [{ provider: "sim-quiet", model: "q" }], data_classes: ["public"], price: { input_per_mtok: 1, output_per_mtok: 1 } });
    const org = await createOrg({ models: ["quiet-chat"] });
    const id = `est-json-${org.team}`;
    const res = await chat(org.apiKey, { model: "quiet-chat", messages: [{ role: "user", content: "count my tokens please" }] }, { "x-request-id": id });
    const body = await res.json<{ usage?: unknown }>();
    expect(body.usage).toBeUndefined();
    const row = await eventually(() => env.DB.prepare("SELECT tokens_in, tokens_out, cost_nusd, estimated FROM usage_events WHERE client_request_id = ?").bind(id).first<{ tokens_in: number; tokens_out: number; cost_nusd: number; estimated: number }>(), 25_000);
    expect(row.estimated).toBe(1);
    expect(row.tokens_in).toBe(4);
    expect(row.tokens_out).toBeGreaterThan(5);
    expect(row.cost_nusd).toBe((row.tokens_in + row.tokens_out) * 1000);
  });

  it("embeddings without upstream usage are estimated and charged, not free", { timeout: 30_000 }, async () => {
    await adminOk("PUT", "/providers/sim-quiet", { type: "simulated", region: "us", options: { omit_usage: "true" } });
    await adminOk("PUT", "/models/quiet-embed", { kind: "embeddings", targets: [{ provider: "sim-quiet", model: "e" }], data_classes: ["public"], price: { input_per_mtok: 2, output_per_mtok: 0 } });
    const org = await createOrg({ models: ["quiet-embed"] });
    const id = `est-emb-${org.team}`;
    const res = await SELF.fetch(`${BASE}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${org.apiKey}`, "content-type": "application/json", "x-request-id": id },
      body: JSON.stringify({ model: "quiet-embed", input: ["hello world", "count my tokens please"] }),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const row = await eventually(() => env.DB.prepare("SELECT tokens_in, cost_nusd, estimated FROM usage_events WHERE client_request_id = ?").bind(id).first<{ tokens_in: number; cost_nusd: number; estimated: number }>(), 25_000);
    expect(row).toEqual({ tokens_in: 6, cost_nusd: 6 * 2000, estimated: 1 });
  });
});
