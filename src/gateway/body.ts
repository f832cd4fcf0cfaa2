/**
 * @module
 * The one bounded body reader every plane uses for untrusted input (data plane, admin plane,
 * agent plane): the limit holds while reading, never after. A declared content-length over the
 * limit is refused before reading; otherwise the body is read chunk by chunk and reading stops
 * (the stream is cancelled) as soon as the bytes pass the limit, so a huge or lying body costs
 * at most `limit` bytes of memory, chunked or not. {@link readBoundedBytes} is the primitive;
 * the text readers only decide which error the caller's plane answers with.
 */
import { GatewayError, badRequest } from "../errors/openai";

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export function tooLarge(limit: number): GatewayError {
  return new GatewayError(413, "invalid_request_error", "request_too_large", `Request body is larger than ${limit} bytes.`);
}

/** Thrown by {@link readBoundedBytes}; each plane maps it to its own envelope. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Request body is larger than ${limit} bytes.`);
  }
}

const DIGITS = /^\d+$/;
/** Stateless between calls (no `stream: true`), so one decoder serves every request. */
const utf8 = new TextDecoder();

/**
 * Reads a body stream up to `limit` bytes; throws {@link BodyTooLargeError} (after cancelling
 * the stream) once it holds more, or up front when `declaredLength` is over the limit.
 * @example const bytes = await readBoundedBytes(request.body, 64 * 1024, request.headers.get("content-length"));
 */
export async function readBoundedBytes(body: ReadableStream<Uint8Array> | null, limit: number, declaredLength?: string | null): Promise<Uint8Array> {
  if (declaredLength != null && DIGITS.test(declaredLength.trim()) && Number(declaredLength) > limit) {
    await body?.cancel().catch(() => {});
    throw new BodyTooLargeError(limit);
  }
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  // The usual small body arrives as one chunk: no copy.
  if (chunks.length === 1) return chunks[0];
  const all = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.byteLength;
  }
  return all;
}

/**
 * A request's body as UTF-8 text, at most `limit` bytes; `onTooLarge` makes the plane's error
 * (default: the data plane's 413 envelope).
 * @example const text = await readBodyText(request, 4 * 1024 * 1024);
 */
export async function readBodyText(request: Request, limit: number, onTooLarge: (limit: number) => Error = tooLarge): Promise<string> {
  try {
    return utf8.decode(await readBoundedBytes(request.body, limit, request.headers.get("content-length")));
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw onTooLarge(limit);
    // The client went away or sent a broken stream: their fault, not a 500.
    throw badRequest("Request body could not be read.");
  }
}

/** Keys that must never reach object spreads downstream. */
const POISON_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Parses JSON, refusing prototype-pollution keys and absurd nesting (both answered with 400).
 * One walk after a plain `JSON.parse` checks both: a reviver would do the key check inside the
 * parse, but calling back into JavaScript for every value made parsing several times slower.
 * (`JSON.parse` keeps `"__proto__"` as an own key, so the walk sees it.)
 * @example parseJsonBody('{"a":1}') // { a: 1 }
 */
export function parseJsonBody(text: string, maxDepth = 64): unknown {
  if (text.trim() === "") throw badRequest("Request body is empty; expected a JSON object.");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest(`Request body is not valid JSON: ${err instanceof Error ? err.message : "parse error"}`);
  }
  let depthExceeded = false;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > maxDepth) depthExceeded = true;
    if (Array.isArray(v)) {
      for (const child of v) if (child && typeof child === "object") stack.push([child, d + 1]);
    } else if (v && typeof v === "object") {
      for (const key of Object.keys(v)) {
        // A forbidden key anywhere wins over depth, as it did when the parse itself checked keys.
        if (POISON_KEYS.has(key)) throw badRequest(`Request body contains the forbidden key "${key}".`);
        const child = (v as Record<string, unknown>)[key];
        if (child && typeof child === "object") stack.push([child, d + 1]);
      }
    }
  }
  if (depthExceeded) throw badRequest(`Request body is nested deeper than ${maxDepth} levels.`);
  if (!value || typeof value !== "object" || Array.isArray(value)) throw badRequest("Request body must be a JSON object.");
  return value;
}
