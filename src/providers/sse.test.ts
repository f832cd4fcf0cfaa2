import { describe, expect, it } from "vitest";
import { SseParser } from "./sse";
import type { SseEvent } from "./types";

function parse(pieces: string[], end = true): SseEvent[] {
  const events: SseEvent[] = [];
  const p = new SseParser((e) => events.push(e));
  for (const piece of pieces) p.feed(piece);
  if (end) p.end();
  return events;
}

/** Every way of cutting `text` into two pieces, plus one character at a time. */
function allSplits(text: string): string[][] {
  const out: string[][] = [[...text]];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

describe("SseParser", () => {
  it("parses events the same whatever the chunk boundaries", () => {
    const text = 'event: message_start\ndata: {"a":1}\n\ndata: {"b":2}\n\n';
    const expected = [{ event: "message_start", data: '{"a":1}' }, { event: undefined, data: '{"b":2}' }];
    for (const pieces of allSplits(text)) expect(parse(pieces)).toEqual(expected);
  });

  it("accepts CRLF line endings, also when a CR and its LF arrive in different chunks", () => {
    const text = "data: one\r\n\r\nevent: x\r\ndata: two\r\n\r\n";
    const expected = [{ event: undefined, data: "one" }, { event: "x", data: "two" }];
    for (const pieces of allSplits(text)) expect(parse(pieces)).toEqual(expected);
  });

  it("joins multi-line data with newlines", () => {
    expect(parse(["data: first\ndata: second\ndata:third\n\n"])).toEqual([{ event: undefined, data: "first\nsecond\nthird" }]);
  });

  it("ignores comments, unknown fields, id and retry", () => {
    expect(parse([": keep-alive\nid: 7\nretry: 1000\nfoo: bar\ndata: x\n: another\n\n"])).toEqual([{ event: undefined, data: "x" }]);
  });

  it("dispatches nothing for blank lines or events without data", () => {
    expect(parse(["\n\n\nevent: ping\n\n: only a comment\n\n"])).toEqual([]);
  });

  it("removes exactly one space after the colon and keeps the rest", () => {
    expect(parse(["data:  two spaces\n\n", "data\n\n"])).toEqual([
      { event: undefined, data: " two spaces" },
      { event: undefined, data: "" },
    ]);
  });

  it("resets the event name after each dispatch", () => {
    expect(parse(["event: a\ndata: 1\n\ndata: 2\n\n"])).toEqual([{ event: "a", data: "1" }, { event: undefined, data: "2" }]);
  });

  it("flushes a last event without its trailing blank line on end(), and only then", () => {
    expect(parse(["data: tail"], false)).toEqual([]);
    expect(parse(["data: tail"])).toEqual([{ event: undefined, data: "tail" }]);
    expect(parse(["data: tail\n"])).toEqual([{ event: undefined, data: "tail" }]);
  });
});
