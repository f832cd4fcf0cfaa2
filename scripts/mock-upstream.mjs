#!/usr/bin/env node
// A local OpenAI-compatible upstream for benchmarks and end-to-end tests: fixed, cheap answers
// for /v1/chat/completions (JSON and SSE with usage) and /v1/embeddings, and a model list at
// GET /v1/models (with a newer dated snapshot beside the catalog's, for the model-list watcher),
// on loopback only.
// `node scripts/mock-upstream.mjs [port]` runs it standalone.
import http from "node:http";

const completion = JSON.stringify({
  id: "chatcmpl-mock",
  object: "chat.completion",
  created: 1700000000,
  model: "mock-1",
  choices: [{ index: 0, message: { role: "assistant", content: "This is the mock upstream answering." }, finish_reason: "stop", logprobs: null }],
  usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
});

const chunk = (delta, finish = null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-mock", object: "chat.completion.chunk", created: 1700000000, model: "mock-1", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const stream =
  chunk({ role: "assistant", content: "" }) +
  ["This", " is", " the", " mock", " upstream", " answering", "."].map((w) => chunk({ content: w })).join("") +
  chunk({}, "stop") +
  `data: ${JSON.stringify({ id: "chatcmpl-mock", object: "chat.completion.chunk", created: 1700000000, model: "mock-1", choices: [], usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 } })}\n\n` +
  "data: [DONE]\n\n";

const embedding = JSON.stringify({
  object: "list",
  data: [{ object: "embedding", index: 0, embedding: Array.from({ length: 16 }, (_, i) => i / 16) }],
  model: "mock-embed",
  usage: { prompt_tokens: 4, total_tokens: 4 },
});

// The catalog's demo target is gpt-4o-mini-2024-07-18; the watcher should propose 2026-10-01.
const models = JSON.stringify({
  object: "list",
  data: ["mock-1", "mock-embed", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", "gpt-4o-mini-2026-10-01"].map((id) => ({ id, object: "model", created: 1700000000, owned_by: "mock" })),
});

/** @returns {Promise<{ url: string, close: () => Promise<void> }>} */
export function startMockUpstream(port = 0) {
  const server = http.createServer((req, res) => {
    let size = 0;
    let wantsStream = false;
    const chunks = [];
    req.on("data", (c) => {
      size += c.length;
      if (size < 65536) chunks.push(c);
    });
    req.on("end", () => {
      if (req.url === "/v1/chat/completions") {
        wantsStream = Buffer.concat(chunks).includes('"stream":true');
        if (wantsStream) {
          res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
          res.end(stream);
        } else {
          res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(completion) });
          res.end(completion);
        }
      } else if (req.method === "GET" && req.url === "/v1/models") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(models);
      } else if (req.url === "/v1/embeddings") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(embedding);
      } else {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "not found", type: "invalid_request_error", code: null } }));
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) =>
    server.listen(port, "127.0.0.1", () => {
      const { port: actual } = server.address();
      resolve({ url: `http://127.0.0.1:${actual}`, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { url } = await startMockUpstream(Number(process.argv[2] ?? 8788));
  console.log(`mock upstream on ${url}/v1`);
}
