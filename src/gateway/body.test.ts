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

  it("stops reading a body that lies about its content-length at the limit", async () => {
    let pulled = 0;
    const lying = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled++ >= 1000) return controller.close();
        controller.enqueue(new Uint8Array(100).fill(120));
      },
    });
    const request = new Request("https://gw.test/", { method: "POST", body: lying, headers: { "content-length": "10" }, duplex: "half" } as RequestInit);
    await expect(readBodyText(request, 1024)).rejects.toMatchObject({ status: 413 });
    // Reading stopped near the limit: not the whole 100 KB stream.
    expect(pulled).toBeLessThan(30);
  });

  it("lets the caller choose the plane's error, and turns a broken stream into a 400", async () => {
    const mine = (limit: number) => new Error(`mine ${limit}`);
    await expect(readBodyText(post(chunked(20, 100)), 1024, mine)).rejects.toThrow("mine 1024");
    const broken = new ReadableStream<Uint8Array>({ pull: (c) => c.error(new Error("reset")) });
    await expect(readBodyText(post(broken), 1024)).rejects.toMatchObject({ status: 400 });
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
