// Time to first token (TTFT) for streams: a paced upstream that writes tokens at a set rate, as a
// model does, and a small streaming client that times each request from its start to the first
// chunk with non-empty `delta.content` (what a chat UI shows first), to the end, and counts the
// content deltas. Run on the provider itself, the bare pass-through and the gateway, the three
// show what the gateway adds to the first token and whether it merges tokens.
import http from "node:http";

const PROSE = (
  "The quarterly numbers show steady growth in every region with revenue up and costs flat while the " +
  "teams shipped on time and customers stayed happy so the outlook for the next quarter remains good"
).split(" ");

/**
 * An OpenAI-compatible upstream whose streams send the role chunk and first token at once, then
 * one token every 1000/tokensPerSecond ms, then finish, usage and [DONE]. JSON answers are not
 * served: this upstream exists for TTFT.
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export function startPacedUpstream({ tokens = 64, tokensPerSecond = 50 } = {}) {
  const base = { id: "chatcmpl-paced", object: "chat.completion.chunk", created: 1700000000, model: "paced-1" };
  const frame = (choices, extra = {}) => `data: ${JSON.stringify({ ...base, choices, ...extra })}\n\n`;
  const words = Array.from({ length: tokens }, (_, i) => (i === 0 ? "" : " ") + PROSE[i % PROSE.length]);
  const interval = 1000 / tokensPerSecond;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write(frame([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]));
      let i = 0;
      const next = () => {
        if (res.destroyed) return;
        if (i < words.length) {
          res.write(frame([{ index: 0, delta: { content: words[i++] }, finish_reason: null }]));
          setTimeout(next, interval);
          return;
        }
        res.write(frame([{ index: 0, delta: {}, finish_reason: "stop" }]));
        res.write(frame([], { usage: { prompt_tokens: 12, completion_tokens: tokens, total_tokens: 12 + tokens } }));
        res.end("data: [DONE]\n\n");
      };
      next();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))) });
    }),
  );
}

/** One streamed request: ms to the first non-empty content delta and to the end, and the content deltas seen. */
async function timeOne(url, { headers, body }) {
  const t0 = performance.now();
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  if (!res.ok || !res.body) throw new Error(`TTFT request to ${url}: ${res.status} ${await res.text()}`);
  const decoder = new TextDecoder();
  let buffer = "";
  let ttft = null;
  let deltas = 0;
  for await (const bytes of res.body) {
    buffer += decoder.decode(bytes, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) !== -1) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = event.split("\n").find((l) => l.startsWith("data: "))?.slice(6);
      if (!data || data === "[DONE]") continue;
      const content = JSON.parse(data).choices?.[0]?.delta?.content;
      if (typeof content === "string" && content.length > 0) {
        deltas++;
        ttft ??= performance.now() - t0;
      }
    }
  }
  return { ttft, total: performance.now() - t0, deltas };
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Times `requests` streamed requests, `concurrency` at a time.
 * @returns {Promise<{ ttft_p50_ms: number, ttft_p95_ms: number, total_p50_ms: number, content_deltas: number }>}
 */
export async function measureTtft(url, { headers = {}, body, requests = 20, concurrency = 4 }) {
  await timeOne(url, { headers, body }); // warm-up
  const results = [];
  let started = 0;
  const worker = async () => {
    while (started < requests) {
      started++;
      results.push(await timeOne(url, { headers, body }));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ttfts = results.map((r) => r.ttft ?? r.total);
  const round = (x) => +x.toFixed(1);
  return {
    ttft_p50_ms: round(percentile(ttfts, 50)),
    ttft_p95_ms: round(percentile(ttfts, 95)),
    total_p50_ms: round(percentile(results.map((r) => r.total), 50)),
    content_deltas: percentile(results.map((r) => r.deltas), 50),
  };
}
