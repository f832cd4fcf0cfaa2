/**
 * @module
 * W3C trace context for one request: the incoming `traceparent` is honoured (same trace, the
 * caller's span as parent), otherwise a new trace starts. Each upstream attempt gets its own
 * span id, sent upstream as that attempt's `traceparent`, and a timing record. The record rides
 * in the usage event's `detail.trace` to the queue consumer, which exports it (./export.ts):
 * the request path only draws random ids and reads the clock.
 */
import type { ProviderType } from "../config/schemas";

/** One upstream attempt: a child span of the request's. */
export interface AttemptSpan {
  span_id: string;
  provider: string;
  provider_type: ProviderType;
  model: string;
  start_ms: number;
  end_ms: number;
  ok: boolean;
  /** Failure kind (timeout, status, …) and upstream status, for a failed attempt. */
  error?: string;
  status?: number;
}

/** What the exporter needs besides the usage event itself (ids and timings only: metadata). */
export interface TraceRecord {
  /** `gen_ai.operation.name` of the request. */
  operation: "chat" | "embeddings";
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  /** The caller's sampled flag (W3C trace-flags bit 0); a new trace is sampled. */
  sampled: boolean;
  attempts: AttemptSpan[];
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  let out = "";
  for (const x of b) out += x.toString(16).padStart(2, "0");
  return out;
}

/**
 * Parses a `traceparent` header; undefined for a malformed one, version ff, or all-zero ids
 * (the W3C rules: such a header is ignored and a new trace starts).
 * @example parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
 */
export function parseTraceparent(header: string | null): { traceId: string; parentId: string; sampled: boolean } | undefined {
  const m = header ? TRACEPARENT.exec(header.trim().toLowerCase()) : null;
  if (!m || m[1] === "ff" || /^0+$/.test(m[2]) || /^0+$/.test(m[3])) return undefined;
  return { traceId: m[2], parentId: m[3], sampled: (parseInt(m[4], 16) & 1) === 1 };
}

/** `traceparent` for a span of this trace. */
export function formatTraceparent(trace: TraceRecord, spanId: string): string {
  return `00-${trace.trace_id}-${spanId}-${trace.sampled ? "01" : "00"}`;
}

/**
 * The request's trace: when export is configured or the caller sent a trace to continue;
 * otherwise undefined and the request pays nothing.
 * @example startTrace(request.headers.get("traceparent"), env.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined)
 */
export function startTrace(
  traceparent: string | null,
  exporting: boolean,
  operation: TraceRecord["operation"] = "chat",
): TraceRecord | undefined {
  const parent = parseTraceparent(traceparent);
  if (!parent && !exporting) return undefined;
  const trace: TraceRecord = {
    operation, trace_id: parent?.traceId ?? randomHex(16), span_id: randomHex(8), sampled: parent?.sampled ?? true, attempts: [],
  };
  if (parent) trace.parent_span_id = parent.parentId;
  return trace;
}

/**
 * Runs one upstream attempt as a child span: its `traceparent` goes upstream, its timing and
 * outcome are recorded on the trace. Without a trace it just runs the attempt.
 * @example await tracedAttempt(trace, target, (tp) => runChatAttempt({ ...input, traceparent: tp }))
 */
export async function tracedAttempt<R extends { ok: boolean }>(
  trace: TraceRecord | undefined,
  target: { provider: { id: string; type: ProviderType }; target: { model: string } },
  run: (traceparent: string | undefined) => Promise<R>,
): Promise<R> {
  if (!trace) return run(undefined);
  const span: AttemptSpan = {
    span_id: randomHex(8), provider: target.provider.id, provider_type: target.provider.type,
    model: target.target.model, start_ms: Date.now(), end_ms: 0, ok: false,
  };
  trace.attempts.push(span);
  const result = await run(formatTraceparent(trace, span.span_id));
  span.end_ms = Date.now();
  span.ok = result.ok;
  const failure = (result as { failure?: { kind: string; status?: number } }).failure;
  if (failure) {
    span.error = failure.kind;
    if (failure.status !== undefined) span.status = failure.status;
  }
  return result;
}
