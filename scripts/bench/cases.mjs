// Benchmark cases: each names the gateway request, the models it needs and how to set them up.
// The baseline always gets the same body, straight through to the mock upstream.
const messages = [{ role: "user", content: "Summarise the quarterly numbers in two sentences." }];

export const benchCases = [
  {
    name: "chat json (full pipeline)",
    models: ["bench-chat"],
    async setup({ put, upstream }) {
      await put("/providers/mock", { type: "openai-compatible", base_url: upstream, region: "us" });
      await put("/models/bench-chat", { targets: [{ provider: "mock", model: "mock-1" }], data_classes: ["public", "internal", "restricted"], price: { input_per_mtok: 1, output_per_mtok: 2 } });
    },
    body: { model: "bench-chat", messages },
  },
  {
    name: "chat stream (SSE)",
    models: ["bench-chat"],
    body: { model: "bench-chat", messages, stream: true, stream_options: { include_usage: true } },
  },
  {
    name: "routing-heavy (5 targets)",
    models: ["bench-routed"],
    async setup({ put, upstream }) {
      for (const p of ["mock-a", "mock-b", "mock-c", "mock-d", "mock-e"]) await put(`/providers/${p}`, { type: "openai-compatible", base_url: upstream, region: "us" });
      await put("/models/bench-routed", {
        targets: ["mock-a", "mock-b", "mock-c", "mock-d", "mock-e"].map((provider, i) => ({ provider, model: "mock-1", weight: i + 1 })),
        data_classes: ["public", "internal", "restricted"],
        price: { input_per_mtok: 1, output_per_mtok: 2 },
      });
    },
    body: { model: "bench-routed", messages },
  },
  {
    name: "10 KB prompt (DLP scan on)",
    models: ["bench-chat"],
    body: {
      model: "bench-chat",
      messages: [{ role: "user", content: "Customer note: the order shipped on time and the customer was happy with support. ".repeat(125) }],
    },
  },
];

// Time to first token for a stream: a paced upstream (scripts/bench/ttft.mjs) writes tokens at a
// model's speed; the provider itself, the pass-through and the gateway are timed to the first
// non-empty content delta. The gateway runs its default guardrails, response DLP included.
export const ttftCase = {
  name: "chat stream TTFT (SSE, paced upstream)",
  models: ["bench-paced"],
  async setup({ put, paced }) {
    await put("/providers/paced", { type: "openai-compatible", base_url: paced, region: "us" });
    await put("/models/bench-paced", { targets: [{ provider: "paced", model: "paced-1" }], data_classes: ["public", "internal", "restricted"], price: { input_per_mtok: 1, output_per_mtok: 2 } });
  },
  body: { model: "bench-paced", messages, stream: true, stream_options: { include_usage: true } },
};
