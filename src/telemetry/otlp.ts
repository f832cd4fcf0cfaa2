/**
 * @module
 * Usage events (with their trace records) → OTLP/HTTP JSON payloads, as pure functions: one
 * server span per request with a client child span per upstream attempt (fallbacks visible as
 * failed siblings before the winner), and GenAI metrics for the batch. Names follow the
 * OpenTelemetry GenAI semantic conventions (`gen_ai.*`), plus `switchyard.*` for what they do
 * not cover. Metadata only, for every data class: ids, models, counts and timings, never a
 * prompt or a completion, so restricted requests export nothing more than their metadata.
 */
import type { UsageEvent } from "../usage/event";
import type { AttemptSpan, TraceRecord } from "./trace-context";

type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };
export interface KeyValue {
  key: string;
  value: AnyValue;
}

export interface OtlpResource {
  serviceName: string;
  region: string;
  version: string;
}

/** Attributes from a record, skipping null and undefined; integers as OTLP intValue. */
function attrs(record: Record<string, string | number | boolean | null | undefined>): KeyValue[] {
  const out: KeyValue[] = [];
  for (const [key, v] of Object.entries(record)) {
    if (v === null || v === undefined) continue;
    if (typeof v === "string") out.push({ key, value: { stringValue: v } });
    else if (typeof v === "boolean") out.push({ key, value: { boolValue: v } });
    else out.push({ key, value: Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v } });
  }
  return out;
}

/** `gen_ai.provider.name` for a provider type (the conventions' well-known values where one exists). */
export function genAiProviderName(type: string): string {
  const names: Record<string, string> = {
    openai: "openai", anthropic: "anthropic", gemini: "gcp.gemini", "azure-openai": "azure.ai.openai",
    "workers-ai": "cloudflare.workers_ai", "openai-compatible": "openai", simulated: "switchyard.simulated",
  };
  return names[type] ?? type;
}

const nanos = (ms: number) => `${Math.round(ms)}000000`;

function resourceOf(r: OtlpResource) {
  const record = { "service.name": r.serviceName, "service.version": r.version, "cloud.region": r.region, "switchyard.region": r.region };
  return { attributes: attrs(record) };
}

const SCOPE = { name: "switchyard", version: "1" };

function winner(trace: TraceRecord): AttemptSpan | undefined {
  return trace.attempts.findLast((a) => a.ok);
}

/** The request's span attributes: GenAI conventions, then Switchyard's own. */
function requestAttributes(u: UsageEvent, trace: TraceRecord): KeyValue[] {
  const won = winner(trace);
  const failed = u.status >= 400 || u.status === 0;
  return attrs({
    "gen_ai.operation.name": trace.operation,
    "gen_ai.provider.name": won ? genAiProviderName(won.provider_type) : undefined,
    "gen_ai.request.model": u.model,
    "gen_ai.response.model": won?.model,
    "gen_ai.usage.input_tokens": u.tokens_in,
    "gen_ai.usage.output_tokens": u.tokens_out,
    "http.response.status_code": u.status || undefined,
    "error.type": failed ? (u.error_code ?? String(u.status)) : undefined,
    "switchyard.request_id": u.request_id,
    "switchyard.team": u.team,
    "switchyard.workload": u.workload,
    "switchyard.data_class": u.data_class,
    "switchyard.cache": u.cache,
    "switchyard.route": u.route,
    "switchyard.provider": u.provider,
    "switchyard.ingress": (u.detail?.ingress as string | undefined) ?? (trace.operation === "chat" ? "chat.completions" : trace.operation),
    "switchyard.cost_usd": u.cost_nusd / 1e9,
    "switchyard.usage.estimated": u.estimated,
    "switchyard.attempts": trace.attempts.length,
    "switchyard.ttfb_ms": u.ttfb_ms,
  });
}

function attemptSpan(a: AttemptSpan, i: number, trace: TraceRecord, requestEndMs: number) {
  // The winner's answer (a stream, in particular) is relayed until the request ends.
  const end = a.ok && a === winner(trace) ? Math.max(a.end_ms, requestEndMs) : a.end_ms || requestEndMs;
  return {
    traceId: trace.trace_id,
    spanId: a.span_id,
    parentSpanId: trace.span_id,
    name: `${trace.operation} ${a.model}`,
    kind: 3,
    startTimeUnixNano: nanos(a.start_ms),
    endTimeUnixNano: nanos(end),
    attributes: attrs({
      "gen_ai.operation.name": trace.operation,
      "gen_ai.provider.name": genAiProviderName(a.provider_type),
      "gen_ai.request.model": a.model,
      "switchyard.provider": a.provider,
      "switchyard.attempt": i + 1,
      "switchyard.fallback": i > 0,
      "http.response.status_code": a.status,
      "error.type": a.ok ? undefined : (a.error ?? "error"),
    }),
    status: a.ok ? { code: 1 } : { code: 2, message: a.error ?? "attempt failed" },
  };
}

/** The request's trace record: model requests of the data plane carry one while export is on. */
function recordOf(u: UsageEvent): TraceRecord | undefined {
  const t = u.detail?.trace as TraceRecord | undefined;
  return t && typeof t.trace_id === "string" && Array.isArray(t.attempts) ? t : undefined;
}

/** The request's trace record, when it should be exported as spans (sampled). */
export function traceOf(u: UsageEvent): TraceRecord | undefined {
  const t = recordOf(u);
  return t && t.sampled !== false ? t : undefined;
}

/**
 * @example JSON.stringify(otlpTraces(events, { serviceName: "switchyard", region: "us", version: "1" }))
 */
export function otlpTraces(events: readonly UsageEvent[], resource: OtlpResource) {
  const spans = [];
  for (const u of events) {
    const trace = traceOf(u);
    if (!trace) continue;
    const start = Date.parse(u.ts);
    const end = start + u.latency_ms;
    const failed = u.status >= 400 || u.status === 0;
    spans.push({
      traceId: trace.trace_id,
      spanId: trace.span_id,
      ...(trace.parent_span_id ? { parentSpanId: trace.parent_span_id } : {}),
      name: `${trace.operation} ${u.model ?? "unknown"}`,
      kind: 2,
      startTimeUnixNano: nanos(start),
      endTimeUnixNano: nanos(end),
      attributes: requestAttributes(u, trace),
      status: failed ? { code: 2, message: u.error_code ?? `status ${u.status}` } : { code: 1 },
    });
    trace.attempts.forEach((a, i) => spans.push(attemptSpan(a, i, trace, end)));
  }
  return { resourceSpans: spans.length ? [{ resource: resourceOf(resource), scopeSpans: [{ scope: SCOPE, spans }] }] : [] };
}

const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

/** Delta histograms keyed by attribute set, filled one value at a time. */
class Histograms {
  private points = new Map<string, { attributes: KeyValue[]; values: number[] }>();
  constructor(private readonly bounds: number[]) {}
  add(attributes: KeyValue[], value: number): void {
    const key = JSON.stringify(attributes);
    const p = this.points.get(key) ?? { attributes, values: [] };
    p.values.push(value);
    this.points.set(key, p);
  }
  dataPoints(startMs: number, endMs: number) {
    return [...this.points.values()].map(({ attributes, values }) => {
      const counts = new Array<number>(this.bounds.length + 1).fill(0);
      for (const v of values) {
        const i = this.bounds.findIndex((b) => v <= b);
        counts[i === -1 ? this.bounds.length : i]++;
      }
      return {
        attributes, startTimeUnixNano: nanos(startMs), timeUnixNano: nanos(endMs),
        count: String(values.length), sum: values.reduce((a, b) => a + b, 0),
        min: Math.min(...values), max: Math.max(...values),
        bucketCounts: counts.map(String), explicitBounds: this.bounds,
      };
    });
  }
}

/**
 * GenAI client metrics for a batch, delta temporality: `gen_ai.client.token.usage` and
 * `gen_ai.client.operation.duration` (histograms), and `switchyard.cost` (USD, a sum).
 * @example otlpMetrics(events, resource, Date.now())
 */
export function otlpMetrics(events: readonly UsageEvent[], resource: OtlpResource, nowMs: number) {
  if (!events.some((u) => recordOf(u))) return { resourceMetrics: [] };
  const tokens = new Histograms(TOKEN_BUCKETS);
  const duration = new Histograms(DURATION_BUCKETS);
  const cost = new Map<string, { attributes: KeyValue[]; usd: number }>();
  let start = nowMs;
  for (const u of events) {
    // Metrics count every model request (sampled or not); other usage events (imports) are not GenAI calls.
    const trace = recordOf(u);
    if (!trace) continue;
    start = Math.min(start, Date.parse(u.ts));
    const won = winner(trace);
    const base = {
      "gen_ai.operation.name": trace.operation,
      "gen_ai.provider.name": won ? genAiProviderName(won.provider_type) : undefined,
      "gen_ai.request.model": u.model,
      "gen_ai.response.model": won?.model,
      "switchyard.team": u.team,
      "switchyard.workload": u.workload,
    };
    const failed = u.status >= 400 || u.status === 0;
    duration.add(attrs({ ...base, "error.type": failed ? (u.error_code ?? String(u.status)) : undefined }), u.latency_ms / 1000);
    if (failed) continue;
    tokens.add(attrs({ ...base, "gen_ai.token.type": "input" }), u.tokens_in);
    tokens.add(attrs({ ...base, "gen_ai.token.type": "output" }), u.tokens_out);
    const key = attrs({ ...base, "switchyard.data_class": u.data_class });
    const k = JSON.stringify(key);
    cost.set(k, { attributes: key, usd: (cost.get(k)?.usd ?? 0) + u.cost_nusd / 1e9 });
  }
  const metrics = [
    { name: "gen_ai.client.token.usage", unit: "{token}", histogram: { aggregationTemporality: 1, dataPoints: tokens.dataPoints(start, nowMs) } },
    { name: "gen_ai.client.operation.duration", unit: "s", histogram: { aggregationTemporality: 1, dataPoints: duration.dataPoints(start, nowMs) } },
    {
      name: "switchyard.cost", unit: "USD",
      sum: {
        aggregationTemporality: 1, isMonotonic: true,
        dataPoints: [...cost.values()].map((c) => ({
          attributes: c.attributes, startTimeUnixNano: nanos(start), timeUnixNano: nanos(nowMs), asDouble: c.usd,
        })),
      },
    },
  ];
  return { resourceMetrics: [{ resource: resourceOf(resource), scopeMetrics: [{ scope: SCOPE, metrics }] }] };
}
