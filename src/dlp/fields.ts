/**
 * @module
 * Which fields of a request or a JSON answer DLP must read. Everything that reaches a provider, a
 * log or the cache is text DLP can scan, except what is binary or token ids; so the walkers hand
 * every string (object keys included) to a {@link FieldVisitor} and report what cannot be read as
 * text (image, audio and file parts, token-array embedding inputs) instead of skipping it quietly.
 *
 * The walkers are copy-on-write: a value nothing changed is returned as the same object, so the
 * common request (a few text messages, no tools) costs one visit per message and no copies. Only
 * the fields that need it are walked deeply; the whole body is never serialised to be scanned.
 * Field paths (`messages[2].content[1]`) are built only for what cannot be scanned, which is rare.
 */

/** What the walkers call for each text and each part they cannot read. */
export interface FieldVisitor {
  /** Returns what to send in place of `text`: itself when nothing is masked. */
  text(text: string): string;
  /** Notes content that reaches the provider but cannot be scanned as text. */
  unscannable(field: string, kind: string): void;
}

type Json = Record<string, unknown>;

/** Part types whose every string is text the model reads (OpenAI chat, Responses-style parts). */
const TEXT_PARTS = new Set(["text", "input_text", "output_text", "refusal"]);
/** Keys of non-text parts that carry base64 or a data URL: not text, and costly to scan as text. */
const BINARY_KEYS = new Set(["data", "file_data"]);

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `true` for strings DLP must not scan as text: data URLs (inline images, audio, files). */
function isDataUrl(s: string): boolean {
  return s.length > 5 && s.charCodeAt(0) === 100 /* d */ && s.startsWith("data:");
}

interface WalkOptions {
  /** Skip strings under these keys and data URLs anywhere (inside non-text parts). */
  binary?: boolean;
  /** Keys whose values are left as they are (structural fields such as `role`). */
  skip?: ReadonlySet<string>;
}

/**
 * Scans every string of a JSON value, keys included, and returns the value with what the visitor
 * rewrote; the same object when nothing changed. Keys are scanned because they reach the provider
 * too (a JSON schema's property names); two keys that redact to the same placeholder collapse,
 * the later winning.
 *
 * @example
 * walkJson({ note: "card 4111 1111 1111 1111" }, visitor) // { note: "card [CREDIT_CARD]" }
 */
export function walkJson(value: unknown, v: FieldVisitor, opts: WalkOptions = {}): unknown {
  if (typeof value === "string") return opts.binary && isDataUrl(value) ? value : v.text(value);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = walkJson(value[i], v, opts);
      if (next !== value[i]) (out ??= value.slice())[i] = next;
    }
    return out ?? value;
  }
  if (isObject(value)) return walkObject(value, v, opts);
  return value;
}

/**
 * Field names made of lower-case letters and `_` (`role`, `tool_calls`, `properties`) cannot hold
 * a built-in entity (each needs a digit, `@`, `.`, `=` or `:`), and scanning them would let an
 * over-broad custom pattern rename the request's structure; other keys are scanned as text. The
 * same holds for `type` values such as `"function"` or `"string"` in a JSON schema.
 */
const PLAIN_KEY = /^[a-z_]{1,64}$/;

function scanKey(key: string, v: FieldVisitor): string {
  return PLAIN_KEY.test(key) ? key : v.text(key);
}

function walkObject(obj: Json, v: FieldVisitor, opts: WalkOptions): Json {
  const keys = Object.keys(obj);
  // Built only once something changes: the pairs so far, then every later pair.
  let pairs: Array<[string, unknown]> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const val = obj[key];
    const keep =
      opts.skip?.has(key) ||
      (typeof val === "string" && ((opts.binary && BINARY_KEYS.has(key)) || (key === "type" && PLAIN_KEY.test(val))));
    const nextKey = keep ? key : scanKey(key, v);
    const nextVal = keep ? val : walkJson(val, v, opts);
    if (!pairs && (nextKey !== key || nextVal !== val)) pairs = keys.slice(0, i).map((k) => [k, obj[k]]);
    pairs?.push([nextKey, nextVal]);
  }
  return pairs ? Object.fromEntries(pairs) : obj;
}

/** Replaces `obj[key]` copy-on-write. */
function withField(obj: Json, key: string, next: unknown): Json {
  return next === obj[key] ? obj : { ...obj, [key]: next };
}

/**
 * One content part. Text parts are scanned whole. Any other part (image_url, input_audio, file,
 * or a type this gateway does not know) carries content DLP cannot read: it is reported, and its
 * remaining strings (an http image URL, a file name) are still scanned.
 */
function walkPart(part: unknown, field: string, v: FieldVisitor): unknown {
  if (!isObject(part)) return walkJson(part, v);
  const type = typeof part.type === "string" ? part.type : "";
  if (TEXT_PARTS.has(type)) return walkObject(part, v, {});
  // The kind goes into errors and usage events: a client-chosen type is named only when plain.
  v.unscannable(field, PLAIN_KEY.test(type) ? type.slice(0, 32) : "unknown");
  return walkObject(part, v, { binary: true });
}

const ROLE_AND_CONTENT = new Set(["role", "content"]);

/** A message's content in all its shapes: a string, an array of parts, or null. */
function walkContent(content: unknown, field: string, v: FieldVisitor): unknown {
  if (typeof content === "string") return v.text(content);
  if (!Array.isArray(content)) return content;
  let out: unknown[] | undefined;
  for (let i = 0; i < content.length; i++) {
    const next = walkPart(content[i], `${field}[${i}]`, v);
    if (next !== content[i]) (out ??= content.slice())[i] = next;
  }
  return out ?? content;
}

/**
 * One chat message: `content` in all its shapes, and every other field (`name`, `tool_calls`
 * names and arguments, legacy `function_call`, `tool_call_id`, `refusal`, unknown fields) as JSON.
 */
function walkMessage(m: unknown, field: string, v: FieldVisitor): unknown {
  if (!isObject(m)) return walkJson(m, v);
  const content = walkContent(m.content, `${field}.content`, v);
  const keys = Object.keys(m);
  // Fast path: the common `{ role, content }` message has nothing else to walk.
  const plain = keys.length <= 2 && keys.every((k) => ROLE_AND_CONTENT.has(k));
  const rest = plain ? m : walkObject(m, v, { skip: ROLE_AND_CONTENT });
  return content === m.content ? rest : { ...rest, content };
}

/** Top-level request fields DLP leaves alone: the catalog-checked model and the messages it walks apart. */
const CHAT_OWN = new Set(["model", "messages"]);

/**
 * Scans a chat completion request: every message, and every other top-level field that reaches
 * the provider (`tools` with their descriptions and JSON schemas, `response_format`, `user`,
 * `metadata`, `stop`, `tool_choice`, unknown fields passed through). Numbers and booleans are
 * left as they are; `model` is checked against the catalog instead.
 *
 * @example
 * walkChatRequest({ model: "m", messages: [{ role: "user", content: "hi" }], user: "a@b.io" }, visitor)
 */
export function walkChatRequest(req: Json, v: FieldVisitor): Json {
  let out = req;
  const messages = req.messages;
  if (Array.isArray(messages)) {
    let next: unknown[] | undefined;
    for (let i = 0; i < messages.length; i++) {
      const m = walkMessage(messages[i], `messages[${i}]`, v);
      if (m !== messages[i]) (next ??= messages.slice())[i] = m;
    }
    if (next) out = { ...req, messages: next };
  }
  return walkOtherFields(req, out, CHAT_OWN, v);
}

/**
 * The top-level fields of `req` not in `own`, names and values, applied to `out` (a copy of `req`
 * that may already differ). Numbers and booleans are left as they are; names are scanned too.
 */
function walkOtherFields(req: Json, out: Json, own: ReadonlySet<string>, v: FieldVisitor): Json {
  for (const key of Object.keys(req)) {
    if (own.has(key)) continue;
    const val = req[key];
    const next = typeof val === "string" || (typeof val === "object" && val !== null) ? walkJson(val, v) : val;
    const nextKey = scanKey(key, v);
    if (nextKey !== key) {
      const { [key]: _dropped, ...others } = out;
      out = { ...others, [nextKey]: next };
    } else if (next !== val) out = { ...out, [key]: next };
  }
  return out;
}

const EMBEDDINGS_OWN = new Set(["model", "input", "encoding_format"]);

/**
 * Scans an embeddings request: `input` as a string or strings (token-id arrays are reported as
 * unscannable), and every other field that reaches the provider (`user`, unknown fields).
 *
 * @example walkEmbeddingsRequest({ model: "e", input: [1, 2, 3] }, visitor) // visitor.unscannable("input", "tokens")
 */
export function walkEmbeddingsRequest(req: Json, v: FieldVisitor): Json {
  let out = req;
  const input = req.input;
  if (typeof input === "string") out = withField(out, "input", v.text(input));
  else if (Array.isArray(input)) {
    if (input.some((x) => typeof x !== "string")) v.unscannable("input", "tokens");
    out = withField(out, "input", walkJson(input, v));
  }
  return walkOtherFields(req, out, EMBEDDINGS_OWN, v);
}

const MESSAGE_SKIP = new Set(["role", "audio"]);

/**
 * Scans the assistant message of each choice of a JSON completion: `content` (string or parts),
 * `refusal`, `reasoning_content` / `reasoning`, tool-call names and arguments, legacy
 * `function_call`, an audio transcript, and any other field an adapter maps. Audio bytes are not
 * text and are left alone. A choice whose message changed loses its `logprobs`: they spell out the
 * tokens of the unredacted text.
 *
 * @example walkCompletion({ choices: [{ index: 0, message: { role: "assistant", refusal: "…" } }] }, visitor)
 */
export function walkCompletion(completion: Json, v: FieldVisitor): Json {
  const choices = completion.choices;
  if (!Array.isArray(choices)) return completion;
  let next: unknown[] | undefined;
  for (let i = 0; i < choices.length; i++) {
    const ch = choices[i];
    if (!isObject(ch) || !isObject(ch.message)) continue;
    const m = ch.message;
    let message = walkObject(m, v, { skip: MESSAGE_SKIP });
    if (isObject(m.audio)) {
      // Walked without the bytes: `audio.data` is base64 sound, `audio.transcript` is text.
      const audio = walkObject(m.audio, v, { binary: true });
      if (audio !== m.audio) message = { ...message, audio };
    }
    if (message === m) continue;
    const choice: Json = { ...ch, message };
    if (choice.logprobs) choice.logprobs = null;
    (next ??= choices.slice())[i] = choice;
  }
  return next ? { ...completion, choices: next } : completion;
}
