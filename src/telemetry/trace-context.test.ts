import { describe, expect, it } from "vitest";
import { formatTraceparent, parseTraceparent, startTrace, tracedAttempt } from "./trace-context";

const target = { provider: { id: "p1", type: "openai" as const }, target: { model: "m1" } };

describe("W3C trace context", () => {
  it("parses a valid traceparent and rejects malformed, version ff and all-zero ids", () => {
    expect(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
      .toEqual({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", parentId: "00f067aa0ba902b7", sampled: true });
    expect(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")?.sampled).toBe(false);
    expect(parseTraceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).toBeUndefined();
    expect(parseTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).toBeUndefined();
    expect(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")).toBeUndefined();
    expect(parseTraceparent("garbage")).toBeUndefined();
    expect(parseTraceparent(null)).toBeUndefined();
  });

  it("continues the caller's trace, starts one only when exporting, and costs nothing otherwise", () => {
    const continued = startTrace("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false)!;
    expect(continued).toMatchObject({ trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", parent_span_id: "00f067aa0ba902b7", sampled: true });
    expect(continued.span_id).toMatch(/^[0-9a-f]{16}$/);
    const fresh = startTrace(null, true)!;
    expect(fresh.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh.parent_span_id).toBeUndefined();
    expect(startTrace(null, false)).toBeUndefined();
    expect(startTrace("not-a-traceparent", false)).toBeUndefined();
  });

  it("records each attempt as a child span and hands it its own traceparent", async () => {
    const trace = startTrace(null, true)!;
    const seen: Array<string | undefined> = [];
    const failed = await tracedAttempt(trace, target, async (tp) => (seen.push(tp), { ok: false, failure: { kind: "status", status: 503 } }));
    expect(failed.ok).toBe(false);
    await tracedAttempt(trace, { ...target, provider: { id: "p2", type: "anthropic" } }, async (tp) => (seen.push(tp), { ok: true }));
    expect(trace.attempts).toMatchObject([
      { provider: "p1", provider_type: "openai", model: "m1", ok: false, error: "status", status: 503 },
      { provider: "p2", provider_type: "anthropic", ok: true },
    ]);
    expect(seen).toEqual(trace.attempts.map((a) => formatTraceparent(trace, a.span_id)));
    expect(trace.attempts[0].end_ms).toBeGreaterThanOrEqual(trace.attempts[0].start_ms);
    // Without a trace the attempt runs untouched.
    expect(await tracedAttempt(undefined, target, async (tp) => ({ ok: tp === undefined }))).toEqual({ ok: true });
  });
});
