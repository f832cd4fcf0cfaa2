/**
 * @module
 * Reads a request body with a hard byte limit that holds for chunked bodies too: the
 * content-length header is checked first (a body within it is read in one go), and a body
 * without one is counted as it streams in and reading stops at the limit, so a huge body costs
 * at most `limit` bytes of memory.
 */
import { GatewayError, badRequest } from "../errors/openai";

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export function tooLarge(limit: number): GatewayError {
  return new GatewayError(413, "invalid_request_error", "request_too_large", `Request body is larger than ${limit} bytes.`);
}

const DIGITS = /^\d+$/;
/** Stateless between calls (no `stream: true`), so one decoder serves every request. */
const utf8 = new TextDecoder();

/**
 * @example const text = await readBodyText(request, 4 * 1024 * 1024);
 */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (!request.body) return "";
  if (declared !== null && DIGITS.test(declared)) {
    // A declared length within the limit: the runtime frames the incoming body by it, so one read
    // holds at most that many bytes (the chunk-by-chunk loop below is for bodies without one).
    // The size check after the read keeps the 413 even for a body that does not match its header.
    const bytes = await request.arrayBuffer();
    if (bytes.byteLength > limit) throw tooLarge(limit);
    return utf8.decode(bytes);
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return utf8.decode(chunks[0]);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.byteLength;
  }
  return utf8.decode(all);
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
