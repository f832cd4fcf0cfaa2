import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminOk, chat, createOrg, eventually } from "./helpers";

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
});
