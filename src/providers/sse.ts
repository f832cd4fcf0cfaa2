/**
 * @module
 * Incremental server-sent-events parsing (WHATWG rules for `event:` and `data:` lines) without
 * buffering more than one partial line. Used on every streamed upstream answer.
 */
import type { SseEvent } from "./types";

/**
 * Feeds decoded text in any chunking; calls `onEvent` for each complete event.
 * @example
 * const p = new SseParser((e) => events.push(e));
 * p.feed("data: {\"a\":1}\n\n");
 */
export class SseParser {
  private buffer = "";
  private event: string | undefined;
  private data: string[] = [];

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  feed(text: string): void {
    this.buffer += text;
    let start = 0;
    for (;;) {
      const nl = this.buffer.indexOf("\n", start);
      if (nl === -1) break;
      let line = this.buffer.slice(start, nl);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      start = nl + 1;
      this.line(line);
    }
    this.buffer = this.buffer.slice(start);
  }

  /** Flushes a final event that had no trailing blank line. */
  end(): void {
    if (this.buffer.length > 0) {
      this.line(this.buffer);
      this.buffer = "";
    }
    this.dispatch();
  }

  private line(line: string): void {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
  }

  private dispatch(): void {
    if (this.data.length > 0) this.onEvent({ event: this.event, data: this.data.join("\n") });
    this.event = undefined;
    this.data = [];
  }
}
