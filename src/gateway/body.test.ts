import { describe, expect, it } from "vitest";
import { parseJsonBody, readBodyText } from "./body";

const post = (body: BodyInit, headers: Record<string, string> = {}) => new Request("https://gw.test/v1/chat/completions", { method: "POST", body, headers });

function chunked(chunks: number, size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ >= chunks) return controller.close();
      controller.enqueue(new Uint8Array(size).fill(120));
    },
  });
}

describe("readBodyText", () => {
  it("reads a body with a content-length in one go, UTF-8 decoded", async () => {
    const text = '{"content":"héllo ✓"}';
    const bytes = new TextEncoder().encode(text);
    expect(await readBodyText(post(bytes, { "content-length": String(bytes.byteLength) }), 1024)).toBe(text);
  });

  it("refuses a declared length over the limit before reading", async () => {
    await expect(readBodyText(post("x".repeat(10), { "content-length": "2000" }), 1024)).rejects.toMatchObject({ status: 413, code: "request_too_large" });
  });

  it("reads a body without a content-length chunk by chunk", async () => {
    expect(await readBodyText(post(chunked(3, 100)), 1024)).toBe("x".repeat(300));
  });

  it("refuses a body without a content-length once it passes the limit", async () => {
    await expect(readBodyText(post(chunked(20, 100)), 1024)).rejects.toMatchObject({ status: 413, code: "request_too_large" });
  });

  it("answers an empty string for no body", async () => {
    expect(await readBodyText(new Request("https://gw.test/", { method: "POST" }), 1024)).toBe("");
  });
});

describe("parseJsonBody", () => {
  const code = (text: string, depth?: number) => {
    try {
      parseJsonBody(text, depth);
      return "ok";
    } catch (err) {
      return (err as Error).message;
    }
  };

  it("finds forbidden keys at any depth, inside arrays too, and before it reports depth", () => {
    expect(code('{"messages":[{"content":"x","__proto__":{"admin":true}}]}')).toMatch(/forbidden key "__proto__"/);
    expect(code('{"a":[[{"b":{"prototype":1}}]]}')).toMatch(/forbidden key "prototype"/);
    expect(code(`{"a":${"[".repeat(10)}{"constructor":1}${"]".repeat(10)}}`, 5)).toMatch(/forbidden key "constructor"/);
  });

  it("refuses nesting past the limit and keeps values the walk passes over", () => {
    expect(code(`{"a":${"[".repeat(10)}${"]".repeat(10)}}`, 5)).toMatch(/nested deeper than 5/);
    expect(parseJsonBody('{"a":[1,{"b":null}],"proto":"__proto__"}')).toEqual({ a: [1, { b: null }], proto: "__proto__" });
  });
});
