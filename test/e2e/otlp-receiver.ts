/**
 * A local stand-in for the outside world of the OpenTelemetry tests: an OTLP/HTTP JSON collector
 * (records what /v1/traces and /v1/metrics receive) that is also an OpenAI-compatible upstream
 * (records each call's `traceparent`, answers a fixed completion). Tests read the records over
 * GET /__received, since vitest's global setup and the test files run in different processes.
 */
import { createServer, type Server } from "node:http";

export interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

function completion(stream: boolean): { type: string; body: string } {
  const base = { id: "chatcmpl-otel", created: 1, model: "otel-upstream-1" };
  const usage = { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 };
  if (!stream) {
    const body = { ...base, object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "traced answer ok" }, finish_reason: "stop" }], usage };
    return { type: "application/json", body: JSON.stringify(body) };
  }
  const chunk = (o: object) => `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", ...o })}\n\n`;
  const body = chunk({ choices: [{ index: 0, delta: { role: "assistant", content: "traced" }, finish_reason: null }] })
    + chunk({ choices: [{ index: 0, delta: { content: " answer ok" }, finish_reason: "stop" }] })
    + chunk({ choices: [], usage }) + "data: [DONE]\n\n";
  return { type: "text/event-stream", body };
}

export async function startReceiver(): Promise<{ url: string; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (req.method === "GET" && req.url === "/__received") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(received));
        return;
      }
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // recorded as text
      }
      received.push({ path: req.url ?? "", headers: req.headers, body });
      if (req.url?.endsWith("/chat/completions")) {
        const answer = completion((body as { stream?: boolean }).stream === true);
        res.writeHead(200, { "content-type": answer.type }).end(answer.body);
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, server };
}
