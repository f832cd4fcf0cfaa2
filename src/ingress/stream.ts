/**
 * @module
 * Re-encodes the pipeline's OpenAI SSE body into an ingress's wire events, in one pass as bytes
 * arrive. The pipeline's stream is already DLP-rewritten, so the ingress sees only what the
 * client may see. Cancelling the returned stream cancels the pipeline's (the client went away).
 */
import type { ChatCompletionChunk } from "../gateway/schemas";
import { SseParser } from "../providers/sse";
import type { StreamErrorPayload } from "../providers/types";
import type { WireStreamEncoder } from "./types";

type Parsed = ChatCompletionChunk | StreamErrorPayload;

function parse(data: string): Parsed | undefined {
  try {
    const v: unknown = JSON.parse(data);
    return v && typeof v === "object" ? (v as Parsed) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @example new Response(wireStream(pipelineBody, anthropicEncoder(request)))
 */
export function wireStream(body: ReadableStream<Uint8Array>, encoder: WireStreamEncoder): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder();
  let out = "";
  let ended = false;
  const finish = () => {
    if (!ended) out += encoder.end();
    ended = true;
  };
  const parser = new SseParser((event) => {
    if (ended) return;
    if (event.data === "[DONE]") return finish();
    const payload = parse(event.data);
    if (!payload) return;
    out += "error" in payload ? encoder.error(payload.error) : encoder.chunk(payload);
  });
  const text = new TextDecoder();
  const flush = (controller: TransformStreamDefaultController<Uint8Array>) => {
    if (out) controller.enqueue(bytes.encode(out));
    out = "";
  };
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        parser.feed(text.decode(chunk, { stream: true }));
        flush(controller);
      },
      flush(controller) {
        parser.feed(text.decode());
        parser.end();
        finish();
        flush(controller);
      },
    }),
  );
}
